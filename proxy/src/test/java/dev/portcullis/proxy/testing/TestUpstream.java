package dev.portcullis.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw HTTP/1.1 upstream for the engine's tests, streaming in both directions (it never
 * aggregates), with endpoints chosen by path:
 *
 * <ul>
 *   <li>{@code /headers}: 200 with the request line and every header it received, as JSON
 *   <li>{@code /sink}: reads the whole body and answers {@code {"bytes":n,"sha256":"..."}}
 *   <li>{@code /bytes?n=N[&chunked=true][&type=T][&encoding=E]}: N bytes of {@link #patternByte} in
 *       64 KiB chunks, written as fast as the gateway takes them, with Content-Type T
 *       (application/octet-stream by default) and Content-Encoding E if given
 *   <li>{@code /slow?ms=N}: answers after N ms (counting the most answers pending at once)
 *   <li>{@code /silent}: never answers
 *   <li>{@code /close}: closes the connection without answering
 *   <li>{@code /health}: the status set by {@link #healthStatus} (200 by default), for health
 *       checks
 *   <li>anything else: 200 {@code ok}
 * </ul>
 *
 * It counts accepted connections and the most open at once, for the pool tests. {@link #failWith}
 * makes every endpoint but {@code /health} answer one status, or reset the connection, so a test
 * can take a target down and bring it back.
 */
public final class TestUpstream implements AutoCloseable {
  private static final int CHUNK = 64 * 1024;

  /**
   * {@link #patternByte} laid out for one chunk from any phase, so a chunk is one bulk copy: byte
   * by byte, every write on a buffer records a stack trace under paranoid leak detection, which
   * made the upstream itself crawl at about 1 MB/s.
   */
  private static final byte[] PATTERN = new byte[CHUNK + 26];

  static {
    for (int i = 0; i < PATTERN.length; i++) {
      PATTERN[i] = patternByte(i);
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final Channel serverChannel;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final AtomicInteger slowPending = new AtomicInteger();
  private final AtomicInteger maxSlowPending = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> requestLines = new ConcurrentLinkedQueue<>();
  private final AtomicInteger forcedStatus = new AtomicInteger();
  private final AtomicInteger healthStatus = new AtomicInteger(200);

  public TestUpstream() throws InterruptedException {
    serverChannel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    accepted.incrementAndGet();
                    int now = open.incrementAndGet();
                    maxOpen.accumulateAndGet(now, Math::max);
                    ch.closeFuture().addListener(f -> open.decrementAndGet());
                    ch.pipeline().addLast(new HttpServerCodec()).addLast(new Handler());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  public int port() {
    return ((java.net.InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public int acceptedConnections() {
    return accepted.get();
  }

  public int maxOpenConnections() {
    return maxOpen.get();
  }

  /**
   * The most {@code /slow} requests waiting for their answer at once: with HTTP/1.1 upstream
   * connections, the most connections the gateway had in use. Unlike {@link #maxOpenConnections},
   * it does not count a connection the gateway has already closed but whose close has not reached
   * this side yet.
   */
  public int maxConcurrentSlowRequests() {
    return maxSlowPending.get();
  }

  public int openConnections() {
    return open.get();
  }

  public int requests() {
    return requests.get();
  }

  /** "METHOD uri" of every request received, in order. */
  public java.util.List<String> requestLines() {
    return java.util.List.copyOf(requestLines);
  }

  /**
   * From now on every request but {@code /health} is answered with {@code status}; {@code -1}
   * closes the connection instead of answering; {@code 0} restores the normal endpoints.
   */
  public TestUpstream failWith(int status) {
    forcedStatus.set(status);
    return this;
  }

  /** The status {@code /health} answers with. */
  public TestUpstream healthStatus(int status) {
    healthStatus.set(status);
    return this;
  }

  /** Requests received other than {@code /health} (what a health checker sends). */
  public int requestsExceptHealthChecks() {
    return (int) requestLines.stream().filter(line -> !line.endsWith(" /health")).count();
  }

  public static byte patternByte(long index) {
    return (byte) ('a' + (index % 26));
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private HttpRequest request;
    private String endpoint;
    private MessageDigest digest;
    private long bodyBytes;
    private boolean closeNextRequest;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      try {
        if (msg instanceof HttpRequest r) {
          request = r;
          requests.incrementAndGet();
          requestLines.add(r.method() + " " + r.uri());
          endpoint = new QueryStringDecoder(r.uri()).path();
          digest = MessageDigest.getInstance("SHA-256");
          bodyBytes = 0;
          int forced = endpoint.equals("/health") ? 0 : forcedStatus.get();
          if (endpoint.equals("/close") || closeNextRequest || forced < 0) {
            ctx.close();
            return;
          }
          if (forced > 0) {
            endpoint = "/forced/" + forced;
          }
        }
        if (msg instanceof HttpContent c) {
          ByteBuf content = c.content();
          bodyBytes += content.readableBytes();
          if (content.hasArray()) {
            digest.update(
                content.array(),
                content.arrayOffset() + content.readerIndex(),
                content.readableBytes());
          } else {
            digest.update(content.nioBuffer());
          }
          if (msg instanceof LastHttpContent && request != null) {
            respond(ctx);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void respond(ChannelHandlerContext ctx) {
      HttpRequest r = request;
      request = null;
      QueryStringDecoder query = new QueryStringDecoder(r.uri());
      if (endpoint.startsWith("/forced/")) {
        sendText(ctx, r, Integer.parseInt(endpoint.substring(8)), "{\"forced\":true}");
        return;
      }
      switch (endpoint) {
        case "/silent" -> {}
        case "/health" -> sendText(ctx, r, healthStatus.get(), "{\"health\":true}");
        case "/slow" -> {
          long ms = Long.parseLong(query.parameters().get("ms").get(0));
          maxSlowPending.accumulateAndGet(slowPending.incrementAndGet(), Math::max);
          ctx.executor()
              .schedule(
                  () -> {
                    slowPending.decrementAndGet();
                    sendText(ctx, r, 200, "slow ok");
                  },
                  ms,
                  TimeUnit.MILLISECONDS);
        }
        case "/sink" ->
            sendText(
                ctx,
                r,
                200,
                "{\"bytes\":"
                    + bodyBytes
                    + ",\"sha256\":\""
                    + HexFormat.of().formatHex(digest.digest())
                    + "\"}");
        case "/headers" -> sendText(ctx, r, 200, headersJson(r));
        case "/arm-close" -> {
          // Simulates an upstream that drops a keep-alive connection just as the next request
          // arrives on it: the gateway's stale-connection race.
          closeNextRequest = true;
          sendText(ctx, r, 200, "armed");
        }
        case "/hop" -> {
          FullHttpResponse response =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1,
                  HttpResponseStatus.OK,
                  Unpooled.copiedBuffer("hop", StandardCharsets.UTF_8));
          response.headers().set(HttpHeaderNames.CONNECTION, "keep-alive, X-Upstream-Hop");
          response.headers().set("X-Upstream-Hop", "secret-internal");
          response.headers().set(HttpHeaderNames.KEEP_ALIVE, "timeout=5");
          response.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=internal");
          response.headers().set("X-End-To-End", "kept");
          HttpUtil.setContentLength(response, 3);
          ctx.writeAndFlush(response);
        }
        case "/bytes" -> {
          long n = Long.parseLong(query.parameters().get("n").get(0));
          boolean chunked =
              query.parameters().containsKey("chunked")
                  && query.parameters().get("chunked").get(0).equals("true");
          HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          head.headers()
              .set(
                  HttpHeaderNames.CONTENT_TYPE,
                  query
                      .parameters()
                      .getOrDefault("type", List.of("application/octet-stream"))
                      .get(0));
          if (query.parameters().containsKey("encoding")) {
            head.headers()
                .set(HttpHeaderNames.CONTENT_ENCODING, query.parameters().get("encoding").get(0));
          }
          if (chunked) {
            HttpUtil.setTransferEncodingChunked(head, true);
          } else {
            HttpUtil.setContentLength(head, n);
          }
          ctx.write(head);
          new ByteStreamer(ctx, n).pump();
        }
        default -> sendText(ctx, r, 200, "ok");
      }
    }

    private String headersJson(HttpRequest r) {
      Map<String, String> sorted = new TreeMap<>();
      for (Map.Entry<String, String> h : r.headers()) {
        sorted.merge(
            h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue(), (a, b) -> a + "|" + b);
      }
      StringBuilder json =
          new StringBuilder("{\"method\":\"").append(r.method()).append("\",\"uri\":");
      json.append(quote(r.uri())).append(",\"headers\":{");
      boolean first = true;
      for (Map.Entry<String, String> h : sorted.entrySet()) {
        if (!first) {
          json.append(',');
        }
        first = false;
        json.append(quote(h.getKey())).append(':').append(quote(h.getValue()));
      }
      return json.append("}}").toString();
    }

    private String quote(String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private void sendText(ChannelHandlerContext ctx, HttpRequest r, int status, String body) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      HttpUtil.setContentLength(response, response.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(r);
      if (!keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      var future = ctx.writeAndFlush(response);
      if (!keepAlive) {
        future.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  /** Writes N pattern bytes, pausing while the channel is not writable. */
  private static final class ByteStreamer {
    private final ChannelHandlerContext ctx;
    private final long total;
    private long sent;

    ByteStreamer(ChannelHandlerContext ctx, long total) {
      this.ctx = ctx;
      this.total = total;
    }

    void pump() {
      while (sent < total && ctx.channel().isWritable()) {
        int size = (int) Math.min(CHUNK, total - sent);
        ByteBuf chunk = ctx.alloc().buffer(size);
        chunk.writeBytes(PATTERN, (int) (sent % 26), size);
        sent += size;
        ctx.write(new DefaultHttpContent(chunk));
      }
      if (sent >= total) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        return;
      }
      ctx.flush();
      if (!ctx.channel().isActive()) {
        return;
      }
      // Wait for the socket to drain, then continue on the event loop.
      ctx.channel().eventLoop().schedule(this::pump, 1, TimeUnit.MILLISECONDS);
    }
  }
}
