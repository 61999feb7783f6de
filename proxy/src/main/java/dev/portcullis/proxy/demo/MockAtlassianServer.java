package dev.portcullis.proxy.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.core.config.JwtConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
import io.netty.handler.codec.http.DefaultHttpHeaders;
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
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty plumbing shared by the mock Jira and Confluence: an aggregating HTTP/1.1 server on a
 * free loopback port with keep-alive, the response headers the real services send, and an {@code
 * X-Mock-Identity} header echoing the identity headers the gateway forwarded. Subclasses only
 * define endpoints. Used by demo mode and by tests.
 *
 * <p>Threads: one event loop per mock. Subclasses keep their state in concurrent structures and
 * never mutate a stored JSON node in place (they swap a modified copy), so the store stays correct
 * if the group ever grows or a test thread reads it.
 *
 * <p>Buffers: the aggregated request is released by {@link SimpleChannelInboundHandler}; the body
 * is copied into a String before the subclass sees it, so no subclass ever holds a {@code ByteBuf}.
 *
 * <p>Identity tokens ({@link #verifyIdentityTokens}): a request is answered once its token is
 * verified, at once when the signing key is cached, else on the event loop after the JWKS fetch
 * (which runs on the HTTP client's threads); the request's headers and body are copied first, as
 * the request itself is released when the read returns. Requests pipelined behind one waiting for a
 * fetch could then be answered out of order; the gateway never pipelines to a backend.
 */
public abstract sealed class MockAtlassianServer implements AutoCloseable
    permits MockJira, MockConfluence {
  private static final Logger log = LoggerFactory.getLogger(MockAtlassianServer.class);

  // Non-ASCII escaped so the identity header is always a valid header value.
  static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private static final List<String> IDENTITY_HEADERS =
      List.of(
          "x-request-id",
          "x-forwarded-for",
          "x-forwarded-proto",
          "x-forwarded-host",
          "forwarded",
          "via");
  private static final int MAX_BODY_BYTES = 10 * 1024 * 1024;

  private final String name;
  private final AtomicInteger acceptedConnections = new AtomicInteger();
  private final AtomicInteger requestsServed = new AtomicInteger();
  private EventLoopGroup group;
  private Channel channel;
  private volatile IdentityTokenCheck tokenCheck;

  MockAtlassianServer(String name) {
    this.name = name;
  }

  /**
   * Binds; called by the subclass's factory once its store is built, so no request can see a
   * half-constructed mock.
   */
  final void bind() throws InterruptedException {
    group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("mock-" + name, true), NioIoHandler.newFactory());
    Handler handler = new Handler();
    try {
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
                          .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                          .addLast(handler);
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * The base URI, e.g. {@code http://127.0.0.1:41234}; also the base of every {@code self} link.
   */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public int acceptedConnections() {
    return acceptedConnections.get();
  }

  public int requestsServed() {
    return requestsServed.get();
  }

  /**
   * From now on, every request must carry the gateway's identity token, verified against the JWKS
   * at {@code jwksUrl} (RS256, the configured issuer, {@code audience}); a request without a valid
   * one gets 401 as the product would answer it, and a valid one's claims are echoed in {@code
   * X-Mock-Identity} under {@code token_claims}. Off unless called, so a mock stays usable without
   * a gateway.
   */
  public final void verifyIdentityTokens(
      URI jwksUrl, JwtConfig.IdentityToken identityToken, String audience) {
    IdentityTokenCheck previous = tokenCheck;
    tokenCheck = IdentityTokenCheck.create(jwksUrl, identityToken, audience);
    if (previous != null) {
      previous.close();
    }
  }

  /** A response the subclass built: status, JSON body (null for none) and extra headers. */
  protected record MockResponse(HttpResponseStatus status, JsonNode body, List<String> headers) {
    protected MockResponse(HttpResponseStatus status, JsonNode body) {
      this(status, body, List.of());
    }

    /** Adds one header, given as name then value. */
    MockResponse withHeader(String name, String value) {
      List<String> more = new java.util.ArrayList<>(headers);
      more.add(name);
      more.add(value);
      return new MockResponse(status, body, List.copyOf(more));
    }
  }

  /**
   * What a subclass sees of a request. {@code body} is null when there was none; {@code
   * tokenClaims} holds the verified identity token's claims, or null when the mock does not verify
   * tokens.
   */
  protected record Request(
      String method, String path, QueryStringDecoder query, JsonNode body, ObjectNode tokenClaims) {
    String param(String name, String fallback) {
      List<String> values = query.parameters().get(name);
      return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    int intParam(String name, int fallback) throws BadRequest {
      String value = param(name, null);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      try {
        return Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new BadRequest("The '" + name + "' parameter must be an integer: " + value);
      }
    }
  }

  /** A request the mock cannot make sense of; answered 400 in the product's error shape. */
  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  /** Answers one request; runs on the mock's event loop. */
  protected abstract MockResponse handle(Request request) throws BadRequest;

  /** An error body in the product's shape. */
  protected abstract MockResponse error(HttpResponseStatus status, String message);

  /** The 401 the product answers a request without valid credentials. */
  private MockResponse unauthenticated() {
    return error(
            HttpResponseStatus.UNAUTHORIZED,
            "You are not authenticated. Authentication required to perform this operation.")
        .withHeader("WWW-Authenticate", "Bearer realm=\"" + name + "\"");
  }

  /** Adds product-specific headers to every response. */
  protected void decorate(HttpHeaders headers) {}

  /**
   * The identity the gateway forwarded, as compact JSON, for the {@code X-Mock-Identity} header.
   * Only the headers present are listed; repeated headers are joined with ", ". An Authorization
   * credential is never echoed, only its scheme and that one was present ({@code "Bearer
   * present"}).
   *
   * <p>With {@link #verifyIdentityTokens} on, the verified token's claims come first, under {@code
   * token_claims}.
   */
  protected ObjectNode identityOf(HttpHeaders headers, ObjectNode tokenClaims) {
    ObjectNode identity = JSON.createObjectNode();
    if (tokenClaims != null) {
      identity.set("token_claims", tokenClaims);
    }
    for (String header : IDENTITY_HEADERS) {
      List<String> values = headers.getAll(header);
      if (!values.isEmpty()) {
        identity.put(header, String.join(", ", values));
      }
    }
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null) {
      String trimmed = authorization.trim();
      int space = trimmed.indexOf(' ');
      // A value without a space has no scheme we could show without showing the credential.
      String scheme = space > 0 ? trimmed.substring(0, space) : "unknown";
      identity.put("authorization", scheme + " present");
    }
    if (headers.contains("X-API-Key")) {
      // Behind the gateway this never shows: it strips the client's credential.
      identity.put("x-api-key", "present");
    }
    return identity;
  }

  @Override
  public void close() {
    IdentityTokenCheck check = tokenCheck;
    if (check != null) {
      check.close();
    }
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private MockResponse dispatch(
      String method, String uri, String bodyText, ObjectNode tokenClaims) {
    QueryStringDecoder query = new QueryStringDecoder(uri);
    try {
      JsonNode body = null;
      if (bodyText != null) {
        try {
          body = JSON.readTree(bodyText);
        } catch (JsonProcessingException e) {
          throw new BadRequest("Unexpected character in the request body: not valid JSON");
        }
      }
      return handle(new Request(method, query.path(), query, body, tokenClaims));
    } catch (BadRequest e) {
      return error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
    } catch (RuntimeException e) {
      log.warn("mock {} failed on {} {}", name, method, query.path(), e);
      return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal server error");
    }
  }

  private FullHttpResponse encode(
      MockResponse response, HttpHeaders requestHeaders, ObjectNode tokenClaims) {
    byte[] bytes;
    try {
      bytes = response.body() == null ? new byte[0] : JSON.writeValueAsBytes(response.body());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a mock response", e);
    }
    ByteBuf content = Unpooled.wrappedBuffer(bytes);
    FullHttpResponse out =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(), content);
    HttpHeaders headers = out.headers();
    if (response.body() != null) {
      headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json;charset=UTF-8");
    }
    // A 204 must not carry Content-Length; its end is implied by the status.
    if (response.status().code() != 204) {
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    }
    headers.set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store, no-transform");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-AREQUESTID", UUID.randomUUID().toString().toUpperCase(Locale.ROOT));
    headers.set("X-Mock-Identity", identityOf(requestHeaders, tokenClaims).toString());
    for (int i = 0; i + 1 < response.headers().size(); i += 2) {
      headers.set(response.headers().get(i), response.headers().get(i + 1));
    }
    decorate(headers);
    return out;
  }

  @ChannelHandler.Sharable
  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) {
      requestsServed.incrementAndGet();
      boolean keepAlive = HttpUtil.isKeepAlive(http) && http.decoderResult().isSuccess();
      IdentityTokenCheck check = tokenCheck;
      String method = http.method().name();
      String uri = http.uri();
      String body =
          http.content().isReadable() ? http.content().toString(StandardCharsets.UTF_8) : null;
      if (!http.decoderResult().isSuccess()) {
        respond(
            ctx,
            error(HttpResponseStatus.BAD_REQUEST, "Malformed HTTP request"),
            http.headers(),
            null,
            keepAlive);
        return;
      }
      if (check == null) {
        respond(ctx, dispatch(method, uri, body, null), http.headers(), null, keepAlive);
        return;
      }
      // The request is released when this method returns: keep copies for the verdict.
      HttpHeaders headers = new DefaultHttpHeaders().set(http.headers());
      check
          .verify(headers)
          .whenComplete(
              (claims, error) ->
                  ctx.executor()
                      .execute(
                          () -> {
                            MockResponse response =
                                claims == null
                                    ? unauthenticated()
                                    : dispatch(method, uri, body, claims);
                            respond(ctx, response, headers, claims, keepAlive);
                          }));
    }

    private void respond(
        ChannelHandlerContext ctx,
        MockResponse response,
        HttpHeaders requestHeaders,
        ObjectNode claims,
        boolean keepAlive) {
      FullHttpResponse out = encode(response, requestHeaders, claims);
      if (!keepAlive) {
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      ChannelFuture write = ctx.writeAndFlush(out);
      if (!keepAlive) {
        write.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("mock {} closing a connection after {}", name, cause.toString());
      ctx.close();
    }
  }
}
