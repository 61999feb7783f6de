package dev.portcullis.proxy.server;

import dev.portcullis.core.config.Http2Config;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.core.pipeline.HeaderNames;
import dev.portcullis.proxy.compression.CompressionPolicy;
import dev.portcullis.proxy.compression.ResponseCompressionHandler;
import dev.portcullis.proxy.forward.ConnectionLimitHandler;
import dev.portcullis.proxy.forward.DownstreamHandler;
import dev.portcullis.proxy.forward.ForwardingContext;
import dev.portcullis.proxy.forward.RequestHeadScanHandler;
import dev.portcullis.proxy.forward.RequestHeadTimeoutHandler;
import dev.portcullis.proxy.tls.ReloadingServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * Builds each client connection's pipeline once, when it is accepted: connection-level concerns as
 * channel handlers (connection limit, TLS, idle timeout), then the protocol's handlers (for
 * HTTP/1.1: the slowloris head timeout, a raw-byte scan of request heads, the codec with size
 * limits, response compression) and the forwarding handler that runs the request-level filter
 * chain.
 *
 * <p>The protocol is fixed at accept on a plain listener without h2c (HTTP/1.1). Otherwise it is
 * chosen once per connection, by ALPN after the TLS handshake or by the first bytes on a plain
 * h2c-enabled listener, and the matching {@code configureHttp1}/{@code configureHttp2} runs then.
 * An HTTP/2 stream gets a child channel whose pipeline converts frames to HTTP/1.1 objects, so the
 * same {@link DownstreamHandler} and exchange code serve it.
 */
public final class DownstreamChannelInitializer extends ChannelInitializer<SocketChannel> {
  /** Body parts up to this size are passed on as slices of the read buffer, without copying. */
  private static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final ForwardingContext context;
  private final ReloadingServerTls tls;
  private final HttpDecoderConfig decoderConfig;
  private final Http2Config http2;
  private final Http2Settings http2Settings;
  private final long idleTimeoutNanos;
  private final long headTimeoutNanos;
  private final long drainMillis;
  private final ChannelInitializer<Http2StreamChannel> streamInitializer;
  private final CompressionPolicy compression;

  /** A plain-HTTP listener. */
  public DownstreamChannelInitializer(ForwardingContext context) {
    this(context, null);
  }

  /** A listener terminating TLS with {@code tls}, or plain HTTP when it is null. */
  public DownstreamChannelInitializer(ForwardingContext context, ReloadingServerTls tls) {
    this.context = context;
    this.tls = tls;
    ServerLimits limits = context.server().limits();
    this.decoderConfig =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxInitialLineBytes())
            .setMaxHeaderSize(limits.maxHeaderBytes())
            .setMaxChunkSize(MAX_CHUNK_BYTES)
            .setHeadersFactory(HeaderNames.headersFactory());
    this.http2 = context.server().http2();
    this.http2Settings =
        Http2Settings.defaultSettings()
            .maxConcurrentStreams(http2.maxConcurrentStreams())
            .initialWindowSize(http2.initialWindowSize())
            .maxHeaderListSize(limits.maxHeaderBytes());
    this.idleTimeoutNanos = limits.idleTimeout().toNanos();
    this.headTimeoutNanos = limits.requestHeadersTimeout().toNanos();
    this.drainMillis = context.server().drainTimeout().toMillis();
    this.streamInitializer =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            initStream(ch);
          }
        };
    this.compression =
        context.server().compression().enabled()
            ? new CompressionPolicy(context.server().compression())
            : null;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline pipeline = ch.pipeline();
    boolean protocolKnown = tls == null && !http2.h2c();
    pipeline.addLast(
        HandlerNames.CONNECTION_LIMIT,
        new ConnectionLimitHandler(
            context.state(), context.server().limits().maxConnections(), !protocolKnown));
    if (tls != null) {
      pipeline.addLast(HandlerNames.TLS, tls.newHandler(ch.alloc()));
    }
    addTimeoutHandlers(pipeline);
    if (tls != null) {
      pipeline.addLast(HandlerNames.ALPN, new AlpnHandler(this));
    } else if (http2.h2c()) {
      pipeline.addLast(HandlerNames.H2C_PREFACE, new H2cPrefaceHandler(this));
    } else {
      configureHttp1(pipeline);
    }
  }

  /**
   * Between the codec and the forwarding handler, so it pairs each request's Accept-Encoding with
   * its response; left out entirely when compression is off.
   */
  private void addCompressionHandler(ChannelPipeline pipeline) {
    if (compression != null) {
      pipeline.addLast(HandlerNames.COMPRESSION, new ResponseCompressionHandler(compression));
    }
  }

  private void addTimeoutHandlers(ChannelPipeline pipeline) {
    pipeline.addLast(HandlerNames.IDLE, new IdleConnectionHandler(idleTimeoutNanos));
  }

  /** HTTP/1.1 from here on: slowloris guard, codec with the size limits, forwarding. */
  void configureHttp1(ChannelPipeline pipeline) {
    pipeline.addLast(HandlerNames.HEAD_TIMEOUT, new RequestHeadTimeoutHandler(headTimeoutNanos));
    pipeline.addLast(HandlerNames.HEAD_SCAN, new RequestHeadScanHandler());
    pipeline.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec(decoderConfig));
    addCompressionHandler(pipeline);
    pipeline.addLast(HandlerNames.FORWARD, new DownstreamHandler(context));
  }

  /**
   * HTTP/2 from here on. The connection itself reads freely (frames of every stream share it);
   * backpressure is per stream: a stream's child channel reads only as fast as its upstream takes
   * the body, and its flow-control window is opened again only for bytes it has read.
   */
  void configureHttp2(ChannelPipeline pipeline) {
    Http2FrameCodec codec =
        Http2FrameCodecBuilder.forServer()
            .initialSettings(http2Settings)
            .validateHeaders(true)
            .gracefulShutdownTimeoutMillis(drainMillis)
            .build();
    pipeline.addLast(HandlerNames.H2_CODEC, codec);
    pipeline.addLast(HandlerNames.H2_MULTIPLEX, new Http2MultiplexHandler(streamInitializer));
    pipeline.addLast(HandlerNames.H2_CONNECTION, new Http2ConnectionEventsHandler(codec, http2));
    Channel channel = pipeline.channel();
    channel.config().setAutoRead(true);
  }

  private void initStream(Http2StreamChannel ch) {
    ch.config().setAutoRead(false);
    ChannelPipeline pipeline = ch.pipeline();
    pipeline.addLast(HandlerNames.H2_STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(true));
    pipeline.addLast(HandlerNames.H2_STREAM_REQUEST, new Http2StreamRequestHandler());
    // Each stream looks like one HTTP/1.1 exchange here, so the same compressor serves it; the
    // frame converter drops the chunked framing it would add, HTTP/2 has its own.
    addCompressionHandler(pipeline);
    pipeline.addLast(HandlerNames.FORWARD, new DownstreamHandler(context));
  }
}
