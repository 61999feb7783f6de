package dev.portcullis.proxy.server;

import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.proxy.compression.CompressionPolicy;
import dev.portcullis.proxy.compression.ResponseCompressionHandler;
import dev.portcullis.proxy.forward.DownstreamHandler;
import dev.portcullis.proxy.forward.ForwardingContext;
import dev.portcullis.proxy.forward.RequestHeadScanHandler;
import dev.portcullis.proxy.forward.RequestHeadTimeoutHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds each client connection's pipeline once, when it is accepted: connection-level concerns as
 * channel handlers (idle timeout, slowloris head timeout, a raw-byte scan of request heads, the
 * HTTP/1.1 codec with size limits, response compression), then the forwarding handler that runs the
 * request-level filter chain. Later concerns (TLS, framing checks, access log) each get a small
 * {@code addXxx} method here.
 */
public final class DownstreamChannelInitializer extends ChannelInitializer<SocketChannel> {
  /** Body parts up to this size are passed on as slices of the read buffer, without copying. */
  private static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final ForwardingContext context;
  private final HttpDecoderConfig decoderConfig;
  private final long idleTimeoutNanos;
  private final long headTimeoutNanos;
  private final CompressionPolicy compression;

  public DownstreamChannelInitializer(ForwardingContext context) {
    this.context = context;
    ServerLimits limits = context.server().limits();
    this.decoderConfig =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxInitialLineBytes())
            .setMaxHeaderSize(limits.maxHeaderBytes())
            .setMaxChunkSize(MAX_CHUNK_BYTES);
    this.idleTimeoutNanos = limits.idleTimeout().toNanos();
    this.headTimeoutNanos = limits.requestHeadersTimeout().toNanos();
    this.compression =
        context.server().compression().enabled()
            ? new CompressionPolicy(context.server().compression())
            : null;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline pipeline = ch.pipeline();
    addTimeoutHandlers(pipeline);
    pipeline.addLast(HandlerNames.HEAD_TIMEOUT, new RequestHeadTimeoutHandler(headTimeoutNanos));
    pipeline.addLast(HandlerNames.HEAD_SCAN, new RequestHeadScanHandler());
    pipeline.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec(decoderConfig));
    addCompressionHandler(pipeline);
    pipeline.addLast(HandlerNames.FORWARD, new DownstreamHandler(context));
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
    pipeline.addLast(
        HandlerNames.IDLE, new IdleStateHandler(0, 0, idleTimeoutNanos, TimeUnit.NANOSECONDS));
  }
}
