package dev.portcullis.proxy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty plumbing shared by the mock Jira and Confluence: a small aggregating HTTP/1.1 server on
 * a free loopback port, with the response headers the real services send and an {@code
 * X-Mock-Identity} header echoing the identity headers the gateway forwarded. The subclasses only
 * define endpoints. Used by demo mode and by tests.
 */
public abstract class MockAtlassianServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] IDENTITY_HEADERS = {
    "x-request-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "via"
  };

  private final EventLoopGroup group;
  private final Channel channel;
  private final AtomicInteger acceptedConnections = new AtomicInteger();
  private final AtomicInteger requestsServed = new AtomicInteger();

  protected MockAtlassianServer(String name) throws InterruptedException {
    group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("mock-" + name, true), NioIoHandler.newFactory());
    Handler handler = new Handler();
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    acceptedConnections.incrementAndGet();
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(10 * 1024 * 1024))
                        .addLast(handler);
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public int acceptedConnections() {
    return acceptedConnections.get();
  }

  public int requestsServed() {
    return requestsServed.get();
  }

  /** A response the subclass built: status and JSON body (null for none). */
  protected record MockResponse(HttpResponseStatus status, JsonNode body) {}

  /** Answers one request; runs on the mock's event loop. */
  protected abstract MockResponse handle(Request request) throws IOException;

  /** Adds product-specific headers to every response. */
  protected void decorate(HttpHeaders headers) {}

  /** What a subclass sees of a request. */
  protected record Request(
      String method, String path, QueryStringDecoder query, JsonNode body, String host) {
    String param(String name, String fallback) {
      var values = query.parameters().get(name);
      return values == null || values.isEmpty() ? fallback : values.get(0);
    }
  }

  /**
   * The identity the gateway forwarded, as compact JSON. An Authorization credential is never
   * echoed: only its scheme and that one was present.
   */
  protected String identityOf(HttpHeaders headers) {
    ObjectNode identity = JSON.createObjectNode();
    for (String name : IDENTITY_HEADERS) {
      String value = headers.get(name);
      if (value != null) {
        identity.put(name, value);
      }
    }
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null) {
      int space = authorization.indexOf(' ');
      identity.put(
          "authorization", (space > 0 ? authorization.substring(0, space) + " " : "") + "present");
    }
    return identity.toString();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @ChannelHandler.Sharable
  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) throws Exception {
      requestsServed.incrementAndGet();
      QueryStringDecoder query = new QueryStringDecoder(http.uri());
      JsonNode body = null;
      if (http.content().isReadable()) {
        try {
          body = JSON.readTree(http.content().toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
          body = null;
        }
      }
      MockResponse response =
          handle(
              new Request(
                  http.method().name(),
                  query.path(),
                  query,
                  body,
                  http.headers().get(HttpHeaderNames.HOST)));
      byte[] bytes =
          response.body() == null ? new byte[0] : JSON.writeValueAsBytes(response.body());
      FullHttpResponse out =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, response.status(), Unpooled.wrappedBuffer(bytes));
      HttpHeaders headers = out.headers();
      if (response.body() != null) {
        headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json;charset=UTF-8");
      }
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      headers.set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store, no-transform");
      headers.set("X-Content-Type-Options", "nosniff");
      headers.set(
          "X-AREQUESTID", UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT));
      headers.set("X-Mock-Identity", identityOf(http.headers()));
      decorate(headers);
      boolean keepAlive = HttpUtil.isKeepAlive(http);
      if (!keepAlive) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      var write = ctx.writeAndFlush(out);
      if (!keepAlive) {
        write.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
