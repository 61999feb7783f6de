package dev.portcullis.bench.e2e;

import dev.portcullis.core.config.SocketTransport;
import dev.portcullis.proxy.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The origin of the end-to-end harness ({@code bench/run-e2e}): answers {@code GET /1k} with a
 * fixed 1 KiB JSON body and {@code GET /64k} with a 64 KiB one, anything else with 404, on
 * 127.0.0.1 with keep-alive. It does as little as a server can so that the harness measures the
 * proxy in front of it, not the origin: the bodies are built once and every response writes a
 * retained duplicate of the same direct buffer, request bodies are discarded unread, and flushes
 * are batched per read.
 *
 * <p>Threads: {@code --threads} event loops (native epoll when available); the handler is shared
 * and stateless. Buffers: the handler releases every inbound message; the two bodies live for the
 * process and are never released.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.portcullis.bench.e2e.FastBackend [--port 18081]
 * [--threads 1]}. Runs until killed.
 */
public final class FastBackend {
  private FastBackend() {}

  public static void main(String[] args) throws InterruptedException {
    int port = 18081;
    int threads = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: FastBackend [--port N] [--threads N]");
          System.exit(2);
        }
      }
    }
    // epoll, as in every run before io_uring existed here: the backend and the load generator are
    // the fixed yardstick that nginx and the gateways are measured against.
    Transport transport =
        Transport.of(
            Transport.isAvailable(SocketTransport.EPOLL)
                ? SocketTransport.EPOLL
                : SocketTransport.AUTO);
    EventLoopGroup group = transport.newGroup(threads, "backend");
    Responder responder = new Responder(jsonBody(1024), jsonBody(64 * 1024));
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpServerCodec()).addLast(responder);
                  }
                })
            .bind("127.0.0.1", port)
            .sync()
            .channel();
    System.out.println(
        "fast backend on http://127.0.0.1:"
            + port
            + " ("
            + transport.name()
            + ", "
            + threads
            + ")");
    server.closeFuture().sync();
  }

  /** A JSON object of exactly {@code size} bytes, padded with a string field. */
  static ByteBuf jsonBody(int size) {
    String head =
        "{\"id\":\"10001\",\"key\":\"BENCH-1\",\"fields\":{\"summary\":\"fixed body\"},\"pad\":\"";
    String tail = "\"}";
    String body = head + "x".repeat(size - head.length() - tail.length()) + tail;
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    return Unpooled.unreleasableBuffer(
        Unpooled.directBuffer(bytes.length).writeBytes(bytes).asReadOnly());
  }

  @Sharable
  static final class Responder extends ChannelInboundHandlerAdapter {
    private final ByteBuf small;
    private final ByteBuf large;

    Responder(ByteBuf small, ByteBuf large) {
      this.small = small;
      this.large = large;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest request) {
          respond(ctx, request);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request) {
      String uri = request.uri();
      ByteBuf body =
          uri.startsWith("/1k") ? small : uri.startsWith("/64k") ? large : Unpooled.EMPTY_BUFFER;
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              body == Unpooled.EMPTY_BUFFER ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.OK,
              body.retainedDuplicate());
      response
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      if (HttpUtil.isKeepAlive(request)) {
        ctx.write(response);
      } else {
        ctx.write(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
