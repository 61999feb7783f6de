package dev.portcullis.proxy.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Netty's HTTP/2 client, one connection, many streams: over TLS with ALPN (give an SslContext that
 * offers h2) or prior-knowledge h2c (no SslContext). Each request runs on its own stream.
 */
public final class H2Client implements AutoCloseable {
  /** A response, copied out of Netty's buffers. */
  public record Response(int status, Map<String, String> headers, byte[] body) {}

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;

  public H2Client(InetSocketAddress address, SslContext tls) throws InterruptedException {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ch.pipeline()
                          .addLast(
                              tls.newHandler(
                                  ch.alloc(), address.getHostString(), address.getPort()));
                    }
                    ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                    ch.pipeline()
                        .addLast(
                            new Http2MultiplexHandler(
                                new SimpleChannelInboundHandler<Object>() {
                                  @Override
                                  protected void channelRead0(ChannelHandlerContext ctx, Object m) {
                                    // no server push expected
                                  }
                                }));
                  }
                })
            .connect(address)
            .sync()
            .channel();
  }

  /** Sends {@code request} on a new stream; the request is released by the write. */
  public CompletableFuture<Response> send(FullHttpRequest request) {
    CompletableFuture<Response> result = new CompletableFuture<>();
    Http2StreamChannelBootstrap streams = new Http2StreamChannelBootstrap(channel);
    streams
        .handler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false));
                ch.pipeline().addLast(new HttpObjectAggregator(64 * 1024 * 1024));
                ch.pipeline()
                    .addLast(
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                          @Override
                          protected void channelRead0(
                              ChannelHandlerContext ctx, FullHttpResponse response) {
                            Map<String, String> headers = new LinkedHashMap<>();
                            response.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
                            ByteBuf content = response.content();
                            result.complete(
                                new Response(
                                    response.status().code(),
                                    headers,
                                    ByteBufUtil.getBytes(content)));
                          }

                          @Override
                          public void channelInactive(ChannelHandlerContext ctx) {
                            result.completeExceptionally(
                                new IllegalStateException("stream closed without a response"));
                          }

                          @Override
                          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            result.completeExceptionally(cause);
                            ctx.close();
                          }
                        });
              }
            })
        .open()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                request.release();
                result.completeExceptionally(f.cause());
                return;
              }
              Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
              stream
                  .writeAndFlush(request)
                  .addListener(
                      w -> {
                        if (!w.isSuccess()) {
                          result.completeExceptionally(w.cause());
                        }
                      });
            });
    return result;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  public Channel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
