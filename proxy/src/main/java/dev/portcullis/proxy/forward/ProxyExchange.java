package dev.portcullis.proxy.forward;

import dev.portcullis.core.config.RetryConfig;
import dev.portcullis.core.config.RouteEdgePolicy;
import dev.portcullis.core.config.Secret;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.core.pipeline.ExchangeKey;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.GatewayResponse;
import dev.portcullis.core.pipeline.HeaderNames;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.ResponseFilter;
import dev.portcullis.core.pipeline.ResponseObserver;
import dev.portcullis.core.route.PathNormalizer;
import dev.portcullis.core.route.Route;
import dev.portcullis.proxy.observe.ExchangeRecord;
import dev.portcullis.proxy.upstream.AcquireCallback;
import dev.portcullis.proxy.upstream.AcquireFailure;
import dev.portcullis.proxy.upstream.LoopUpstream;
import dev.portcullis.proxy.upstream.RetryPolicy;
import dev.portcullis.proxy.upstream.Target;
import dev.portcullis.proxy.upstream.TargetPool;
import dev.portcullis.proxy.upstream.UpstreamConnection;
import dev.portcullis.proxy.upstream.UpstreamListener;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, from the request head to the last byte of the response.
 *
 * <p>Lifecycle: parse and route, run the route's filters (synchronously, or resumed on the event
 * loop when one defers), acquire a pooled upstream connection on this event loop, send the head and
 * stream the body with backpressure, relay the response parts as they come, then give the
 * connection back to the pool only after a complete, well-framed exchange.
 *
 * <p>Resilience: the balancer hands out a target together with a permit of its {@code TargetHealth}
 * (circuit breaker, ejection, health checks); the exchange ends every permit with exactly one
 * outcome (success, failure or release). A failed call of a body-less idempotent request, before
 * any response byte went to the client, is retried on another target after a jittered backoff when
 * the upstream's {@link RetryPolicy} and its budget allow.
 *
 * <p>Threading: every method runs on the downstream channel's event loop, which is also the
 * upstream connection's. Buffer ownership: a body part taken from the client is either written
 * upstream (the write releases it), queued in {@code pendingBody} (released on every exit path), or
 * released at once; a response part is written downstream or released.
 */
final class ProxyExchange implements ExchangeRecord, AcquireCallback, UpstreamListener {
  private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);
  private static final Object[] NO_ATTRIBUTES = new Object[0];

  private final DownstreamHandler connection;
  private final ChannelHandlerContext ctx;
  private final ForwardingContext context;
  private final HttpRequest request;
  private final String requestId;
  private final TraceContext trace;
  private final boolean expectsBody;
  private String path;
  private String query;
  private InetSocketAddress clientAddress;
  private Route route;
  private Object[] attributes = NO_ATTRIBUTES;

  private LoopUpstream balancer;
  private TargetPool targetPool;
  private long permit;
  private int attempts;
  private boolean hostFromTarget;
  private ScheduledFuture<?> retryTimer;
  private UpstreamConnection upstream;
  private HttpRequest upstreamRequest;
  private ArrayDeque<HttpContent> pendingBody;

  private boolean keepAlive;
  private boolean expectContinue;
  private boolean requestComplete;
  private boolean requestSent;
  private boolean bodyBytesSent;
  private boolean retried;
  private boolean responseStarted;
  private boolean skippingInformational;
  private boolean upstreamKeepAlive;
  private boolean upstreamReadPaused;
  private boolean answeredLocally;
  private boolean ended;
  private boolean webSocket;
  private boolean tunnelPending;

  // Response observation (see ResponseObserver): whether its head was seen, whether the upstream's
  // response is being discarded for the observer's replacement, whether it was relayed whole.
  private boolean headObserved;
  private boolean discardingUpstream;
  private boolean relayedWhole;

  // Observation: what the observers read when the exchange ends (see ExchangeRecord).
  private final long startNanos;
  private long endNanos;
  private long upstreamStartNanos;
  private long upstreamSentNanos;
  private long responseHeadNanos;
  private long upstreamNanos;
  private boolean upstreamAsked;
  private int status;
  private long requestBodyBytes;
  private long maxBodyBytes;
  private long requestTimeoutNanos;
  private long responseBodyBytes;

  ProxyExchange(DownstreamHandler connection, ChannelHandlerContext ctx, HttpRequest request) {
    this.connection = connection;
    this.ctx = ctx;
    this.context = connection.context();
    this.startNanos = System.nanoTime();
    this.request = request;
    this.requestId = RequestIds.acceptOrGenerate(request.headers().get(RequestIds.HEADER));
    this.trace = TraceContext.of(request.headers());
    this.expectsBody =
        HttpUtil.isTransferEncodingChunked(request)
            || !"0".equals(request.headers().get(HttpHeaderNames.CONTENT_LENGTH, "0"));
    this.keepAlive = HttpUtil.isKeepAlive(request) && !context.state().draining();
    ServerLimits limits = context.server().limits();
    this.maxBodyBytes = limits.maxBodyBytes();
    this.requestTimeoutNanos = limits.requestTimeout().toNanos();
    context.state().exchangeStarted();
  }

  // ---- Exchange (what filters see) ----

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public long startNanos() {
    return startNanos;
  }

  @Override
  public String traceId() {
    return trace.traceId;
  }

  @Override
  public HttpMethod method() {
    return request.method();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return query;
  }

  @Override
  public HttpHeaders requestHeaders() {
    return request.headers();
  }

  @Override
  public InetSocketAddress clientAddress() {
    return clientAddress;
  }

  @Override
  public java.util.concurrent.Executor executor() {
    return ctx.channel().eventLoop();
  }

  @Override
  public Route route() {
    return route;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(ExchangeKey<T> key) {
    int i = key.index();
    return i < attributes.length ? (T) attributes[i] : null;
  }

  @Override
  public <T> void set(ExchangeKey<T> key, T value) {
    int i = key.index();
    if (i >= attributes.length) {
      attributes = Arrays.copyOf(attributes, Math.max(ExchangeKey.count(), i + 1));
    }
    attributes[i] = value;
  }

  // ---- request side ----

  void start() {
    if (request.decoderResult().isFailure()) {
      keepAlive = false;
      rejectMalformed(request.decoderResult().cause());
      return;
    }
    ServerLimits limits = context.server().limits();
    if (request.headers().size() > limits.maxHeaders()) {
      keepAlive = false;
      respondLocally(
          GatewayResponse.error(
              HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
              "bad_request",
              "The request has more than " + limits.maxHeaders() + " header fields.",
              this));
      return;
    }
    String framingProblem = RequestFraming.check(request);
    if (framingProblem != null) {
      keepAlive = false; // where this request ends is ambiguous, so nothing after it is trusted
      respondLocally(
          GatewayResponse.error(
              HttpResponseStatus.BAD_REQUEST, "bad_request", framingProblem, this));
      return;
    }
    if (!splitTarget(request.uri())) {
      keepAlive = false;
      respondLocally(
          GatewayResponse.error(
              HttpResponseStatus.BAD_REQUEST,
              "bad_request",
              "The request target must be an absolute path such as /rest/api/3/myself.",
              this));
      return;
    }
    try {
      path = PathNormalizer.normalize(path);
    } catch (PathNormalizer.RejectedPathException e) {
      respondLocally(
          GatewayResponse.error(HttpResponseStatus.BAD_REQUEST, "bad_path", e.getMessage(), this));
      return;
    }
    InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
    clientAddress = context.forwardedHeaders().clientAddress(peer, request.headers());
    String refusal = EdgeAccess.refusal(context.server().security(), clientAddress, request);
    if (refusal != null) {
      boolean wrongHost = refusal == EdgeAccess.WRONG_HOST;
      respondLocally(
          GatewayResponse.error(
              wrongHost ? HttpResponseStatus.MISDIRECTED_REQUEST : HttpResponseStatus.FORBIDDEN,
              wrongHost ? "misdirected_request" : "forbidden",
              refusal,
              this));
      return;
    }
    route = context.router().match(request.headers().get(HttpHeaderNames.HOST), method(), path);
    if (route == null) {
      respondLocally(
          GatewayResponse.error(
              HttpResponseStatus.NOT_FOUND,
              "no_route",
              "No route matches " + method() + " " + path + ".",
              this));
      return;
    }
    if (!applyRouteEdge(limits)) {
      return;
    }
    if (HttpUtil.getContentLength(request, 0L) > maxBodyBytes) {
      respondTooLarge(); // declared too large: refused before a byte of it is read
      return;
    }
    runFilters(0);
  }

  /** The route's own limits and client networks; false when it refused the request. */
  private boolean applyRouteEdge(ServerLimits limits) {
    RouteEdgePolicy edge = route.config().edge();
    if (edge == RouteEdgePolicy.INHERIT) {
      return true;
    }
    maxBodyBytes = edge.maxBodyBytes(limits.maxBodyBytes());
    long timeout = edge.requestTimeout(limits.requestTimeout()).toNanos();
    if (timeout != requestTimeoutNanos) {
      requestTimeoutNanos = timeout;
      connection.requestTimeoutChanged(this);
    }
    if (edge.restrictsClients()
        && EdgeAccess.refused(edge.ipAllow(), edge.ipDeny(), clientAddress)) {
      respondLocally(
          GatewayResponse.error(
              HttpResponseStatus.FORBIDDEN, "forbidden", EdgeAccess.DENIED, this));
      return false;
    }
    return true;
  }

  /** This request's total timeout in nanoseconds, 0 for none: the route's or the listener's. */
  long requestTimeoutNanos() {
    return requestTimeoutNanos;
  }

  private void rejectMalformed(Throwable cause) {
    HttpResponseStatus status = HttpResponseStatus.BAD_REQUEST;
    String message = "The request is not valid HTTP/1.1.";
    if (cause instanceof RequestHeadScanner.MalformedHeadException) {
      message = cause.getMessage();
    } else if (cause instanceof TooLongHttpLineException) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
      message = "The request line is longer than the gateway accepts.";
    } else if (cause instanceof TooLongHttpHeaderException
        || cause instanceof TooLongFrameException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      message = "The request headers are larger than the gateway accepts.";
    }
    respondLocally(GatewayResponse.error(status, "bad_request", message, this));
  }

  /** Splits origin-form or absolute-form targets into path and query; false when it is neither. */
  private boolean splitTarget(String uri) {
    int start = 0;
    if (!uri.startsWith("/")) {
      int scheme = uri.startsWith("http://") ? 7 : uri.startsWith("https://") ? 8 : -1;
      if (scheme < 0) {
        return false;
      }
      start = uri.indexOf('/', scheme);
      if (start < 0) {
        path = "/";
        int q = uri.indexOf('?', scheme);
        query = q < 0 ? null : uri.substring(q + 1);
        return true;
      }
    }
    int q = uri.indexOf('?', start);
    int hash = uri.indexOf('#', start);
    int pathEnd = q >= 0 ? q : hash >= 0 ? hash : uri.length();
    path = uri.substring(start, pathEnd);
    if (q >= 0) {
      int queryEnd = hash > q ? hash : uri.length();
      query = uri.substring(q + 1, queryEnd);
    }
    return true;
  }

  private void runFilters(int from) {
    RequestFilter[] filters = route.requestFilters();
    for (int i = from; i < filters.length; i++) {
      FilterDecision decision;
      try {
        decision = filters[i].onRequest(this);
      } catch (RuntimeException e) {
        log.error("filter {} of route {} failed", filters[i].getClass().getName(), route.name(), e);
        respondInternalError();
        return;
      }
      if (decision == FilterDecision.CONTINUE) {
        continue;
      }
      if (decision instanceof FilterDecision.Respond respond) {
        respondLocally(respond.response());
        return;
      }
      awaitFilter(i, (FilterDecision.Deferred) decision);
      return;
    }
    forward();
  }

  private void awaitFilter(int index, FilterDecision.Deferred deferred) {
    deferred
        .stage()
        .whenComplete(
            (result, error) ->
                ctx.channel().eventLoop().execute(() -> resumeFilters(index, result, error)));
  }

  private void resumeFilters(int index, FilterDecision result, Throwable error) {
    if (ended) {
      return;
    }
    if (error != null || result == null) {
      log.error("deferred filter of route {} failed", route.name(), error);
      respondInternalError();
    } else if (result instanceof FilterDecision.Deferred again) {
      // A filter that waited may find it must wait once more (a verified credential whose
      // identity token is still being signed).
      awaitFilter(index, again);
    } else if (result instanceof FilterDecision.Respond respond) {
      respondLocally(respond.response());
    } else {
      runFilters(index + 1);
    }
  }

  private void forward() {
    balancer = connection.upstream(route.upstream());
    long now = System.nanoTime();
    targetPool = balancer.choose(null, now);
    if (targetPool == null) {
      respondNoTarget(now);
      return;
    }
    permit = balancer.takePermit();
    balancer.retries().requested(now);
    UpstreamConfig upstreamConfig = balancer.config();
    HttpHeaders headers = request.headers();
    String clientHost = headers.get(HttpHeaderNames.HOST);
    expectContinue = HttpUtil.is100ContinueExpected(request);
    boolean chunked = HttpUtil.isTransferEncodingChunked(request);
    headers.remove(HttpHeaderNames.EXPECT);
    webSocket = WebSocketTunnel.isUpgrade(request);
    HopByHopHeaders.strip(headers);
    if (webSocket) {
      WebSocketTunnel.restoreUpgradeHeaders(headers);
    }
    if (chunked) {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      headers.set(HeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    context
        .forwardedHeaders()
        .apply(
            headers,
            (InetSocketAddress) ctx.channel().remoteAddress(),
            context.scheme(),
            clientHost);
    hostFromTarget = !upstreamConfig.preserveHost() || clientHost == null;
    if (hostFromTarget) {
      headers.set(HeaderNames.HOST, targetPool.target().authority());
    }
    headers.set(RequestIds.HEADER, requestId);
    trace.propagate(headers);
    for (Map.Entry<String, Secret> extra : upstreamConfig.requestHeaders().entrySet()) {
      headers.set(extra.getKey(), extra.getValue().reveal());
    }
    String upstreamUri = route.upstreamPath(path);
    if (query != null) {
      upstreamUri = upstreamUri + '?' + query;
    }
    upstreamRequest = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method(), upstreamUri, headers);
    upstreamAsked = true;
    upstreamStartNanos = now;
    attempts = 1;
    acquireUpstream();
  }

  private void acquireUpstream() {
    if (webSocket) {
      targetPool.acquireNew(this); // a tunnel never goes back to the pool
    } else {
      targetPool.acquire(this);
    }
  }

  /** Every target is open, ejected or unhealthy: answer at once rather than queue. */
  private void respondNoTarget(long now) {
    GatewayResponse unavailable =
        GatewayResponse.error(
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            "no_healthy_upstream",
            "No target of the upstream '"
                + route.upstream()
                + "' is available (circuit open, ejected or failing health checks).",
            this);
    unavailable.headers().set(HttpHeaderNames.RETRY_AFTER, balancer.retryAfterSeconds(now));
    respondLocally(unavailable);
  }

  // ---- target outcomes and retries ----

  private void targetSucceeded(long now) {
    if (permit != 0) {
      targetPool.health().succeeded(permit, now);
      permit = 0;
    }
  }

  private void targetFailed() {
    if (permit != 0) {
      targetPool.health().failed(permit, System.nanoTime());
      permit = 0;
    }
  }

  private void releasePermit() {
    if (permit != 0) {
      targetPool.health().released(permit);
      permit = 0;
    }
  }

  /**
   * After a failed call: sends the request again, on another target, after a backoff, when the
   * request is safe to replay (idempotent, no body, nothing sent to the client yet), attempts are
   * left, the failure is one the pool retries on and the retry budget allows. True when it will.
   */
  private boolean retry(RetryConfig.Condition condition) {
    RetryPolicy policy = balancer.retries();
    if (ended
        || responseStarted
        || bodyBytesSent
        || attempts >= policy.maxAttempts()
        || !policy.retriesOn(condition)
        || !policy.eligible(method(), expectsBody)) {
      return false;
    }
    long now = System.nanoTime();
    TargetPool failed = targetPool;
    TargetPool next = balancer.choose(failed, now);
    if (next == null) {
      return false;
    }
    long nextPermit = balancer.takePermit();
    if (!policy.tryRetry(now)) {
      next.health().released(nextPermit);
      failed.observer().retryBudgetExhausted();
      return false;
    }
    failed.observer().retried();
    releaseUpstream(false); // after a 5xx head its body is not wanted: the connection goes
    cancelResponseTimeout();
    targetPool = next;
    permit = nextPermit;
    attempts++;
    requestSent = false;
    retryTimer =
        ctx.channel()
            .eventLoop()
            .schedule(this::sendAgain, policy.backoffNanos(attempts - 1), TimeUnit.NANOSECONDS);
    return true;
  }

  private void sendAgain() {
    retryTimer = null;
    if (ended) {
      return;
    }
    if (hostFromTarget) {
      upstreamRequest.headers().set(HttpHeaderNames.HOST, targetPool.target().authority());
    }
    acquireUpstream();
  }

  /** A body part from the client; this exchange now owns it. */
  void onRequestContent(HttpContent content) {
    if (content.decoderResult().isFailure()) {
      // A malformed chunk: the body's end is unknown, so neither connection can be trusted again
      // and the upstream must not take what it got as a complete request.
      content.release();
      requestComplete = true;
      keepAlive = false;
      releaseUpstream(false);
      if (!responseStarted) {
        respondLocally(
            GatewayResponse.error(
                HttpResponseStatus.BAD_REQUEST,
                "bad_request",
                "The request body is not valid chunked encoding.",
                this));
      } else if (!ended) {
        end();
        ctx.close();
      }
      return;
    }
    requestBodyBytes += content.content().readableBytes();
    if (requestBodyBytes > maxBodyBytes) {
      content.release();
      requestComplete = true; // nothing more of this body is read
      keepAlive = false;
      releaseUpstream(false); // the upstream must not take a truncated body as complete
      if (!responseStarted) {
        respondTooLarge();
      } else if (!ended) {
        end();
        ctx.close();
      }
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (last) {
      requestComplete = true;
    }
    if (ended || answeredLocally || requestSent || (responseStarted && upstream == null)) {
      content.release();
      return;
    }
    if (upstream == null) {
      if (pendingBody == null) {
        pendingBody = new ArrayDeque<>(4);
      }
      pendingBody.add(content);
      return;
    }
    writeUpstream(content);
  }

  private void writeUpstream(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (content.content().isReadable()) {
      bodyBytesSent = true;
    }
    upstream.channel().write(content, upstream.channel().voidPromise());
    if (last) {
      requestSent = true;
      upstream.channel().flush();
      startResponseTimeout();
    }
  }

  /** End of a read burst from the client: push what was written, and ask for more if we can. */
  void onDownstreamReadComplete() {
    if (upstream != null && !requestSent) {
      Channel channel = upstream.channel();
      channel.flush();
      if (channel.isWritable()) {
        ctx.read();
      }
    }
  }

  @Override
  public void onUpstreamWritable() {
    if (!requestComplete && !ended) {
      ctx.read();
    }
  }

  private void respondTooLarge() {
    keepAlive = false;
    respondLocally(
        GatewayResponse.error(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            "The request body is larger than " + maxBodyBytes + " bytes.",
            this));
  }

  /**
   * The whole exchange, head to last response byte, took longer than the configured time. Checked
   * by the connection's {@link DownstreamHandler} sweep rather than a timer per request: arming and
   * cancelling a timer for every request was measurable on the event loop.
   */
  void onRequestTimeout() {
    if (ended) {
      return;
    }
    keepAlive = false;
    releaseUpstream(false);
    if (!responseStarted) {
      respondLocally(
          GatewayResponse.error(
              HttpResponseStatus.GATEWAY_TIMEOUT,
              "request_timeout",
              "The request did not complete within "
                  + java.time.Duration.ofNanos(requestTimeoutNanos).toMillis()
                  + " ms.",
              this));
    } else {
      end();
      ctx.close();
    }
  }

  // ---- acquisition ----

  @Override
  public UpstreamListener listener() {
    return this;
  }

  @Override
  public void onAcquired(UpstreamConnection acquired) {
    if (ended || responseStarted) {
      acquired.release(true); // nothing was written on it
      return;
    }
    upstream = acquired;
    Channel channel = acquired.channel();
    channel.write(upstreamRequest, channel.voidPromise());
    upstreamSentNanos = System.nanoTime();
    if (expectContinue) {
      expectContinue = false;
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
    if ((retried || attempts > 1) && requestComplete && pendingBody == null) {
      // A replay (stale connection or retry): the (empty) body was already taken from the client.
      writeUpstream(LastHttpContent.EMPTY_LAST_CONTENT);
      return;
    }
    if (pendingBody != null) {
      HttpContent part;
      while ((part = pendingBody.poll()) != null) {
        writeUpstream(part);
      }
      pendingBody = null;
    }
    if (!requestSent) {
      channel.flush();
      if (channel.isWritable()) {
        ctx.read();
      }
    }
  }

  @Override
  public void onAcquireFailed(AcquireFailure failure, Throwable cause) {
    if (ended) {
      return;
    }
    String target = targetPool.target().toString();
    switch (failure) {
      case CONNECT_FAILED -> {
        targetFailed();
        if (retry(RetryConfig.Condition.CONNECT_FAILURE)) {
          return;
        }
        log.warn(
            "upstream {} target {} unreachable: {}",
            route.upstream(),
            target,
            cause == null ? "connect failed" : cause.toString());
        respondLocally(
            GatewayResponse.error(
                HttpResponseStatus.BAD_GATEWAY,
                "upstream_unavailable",
                "The upstream '" + route.upstream() + "' could not be reached.",
                this));
      }
      case POOL_EXHAUSTED -> {
        releasePermit(); // the gateway's own limit, not the target's fault
        respondLocally(
            GatewayResponse.error(
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                "upstream_overloaded",
                "Too many requests are waiting for the upstream '" + route.upstream() + "'.",
                this));
      }
      case WAIT_TIMEOUT -> {
        releasePermit();
        targetPool.observer().poolWaitTimedOut();
        respondTimeout();
      }
    }
  }

  // ---- response side ----

  private void startResponseTimeout() {
    long nanos =
        (route.responseTimeout() != null
                ? route.responseTimeout()
                : connection.upstream(route.upstream()).config().responseTimeout())
            .toNanos();
    if (!responseStarted && upstream != null) {
      upstream.awaitResponse(nanos);
    }
  }

  @Override
  public void onResponseTimeout() {
    if (ended || responseStarted) {
      return;
    }
    targetPool.observer().responseTimedOut();
    targetFailed();
    releaseUpstream(false);
    respondTimeout();
  }

  private void respondTimeout() {
    respondLocally(
        GatewayResponse.error(
            HttpResponseStatus.GATEWAY_TIMEOUT,
            "upstream_timeout",
            "The upstream '" + route.upstream() + "' did not answer in time.",
            this));
  }

  @Override
  public void onResponsePart(HttpObject msg) {
    if (discardingUpstream) {
      discardUpstreamPart(msg);
      return;
    }
    if (ended || answeredLocally) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (msg.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        onUpstreamFailure(msg.decoderResult().cause());
        return;
      }
      if (response.status().code() == 101) {
        onSwitchingProtocols(response);
        return;
      }
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // 100 Continue / 103 Early Hints: the gateway answers Expect itself; drop them.
        skippingInformational = true;
        ReferenceCountUtil.release(msg);
        return;
      }
      if (retriedAfter(response)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (onResponseHead(response)) {
        discardUpstreamPart(msg);
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      if (content.decoderResult().isFailure()) {
        Throwable cause = content.decoderResult().cause();
        content.release();
        onUpstreamFailure(cause);
        return;
      }
      if (tunnelPending) {
        content.release(); // the 101 has no body: its end is where the tunnel starts
        if (content instanceof LastHttpContent) {
          startTunnel();
        }
        return;
      }
      if (skippingInformational) {
        skippingInformational = !(content instanceof LastHttpContent);
        content.release();
        return;
      }
      if (!responseStarted) {
        content.release();
        return;
      }
      responseBodyBytes += content.content().readableBytes();
      ResponseObserver observer = get(ResponseObserver.KEY);
      if (observer != null) {
        observer.onResponseContent(content.content(), content instanceof LastHttpContent);
      }
      if (content instanceof LastHttpContent) {
        finishRelayedResponse((LastHttpContent) content);
        return;
      }
      ctx.write(content, ctx.voidPromise());
      if (!ctx.channel().isWritable() && upstream != null) {
        upstream.channel().config().setAutoRead(false);
        upstreamReadPaused = true;
      }
    }
  }

  /** Records the target's outcome; true when a 5xx is not relayed because a retry replaces it. */
  private boolean retriedAfter(HttpResponse response) {
    // One clock read for the outcome and the response-time metric: it is not free on every host.
    responseHeadNanos = System.nanoTime();
    int code = response.status().code();
    if (code < 500) {
      targetSucceeded(responseHeadNanos);
      return false;
    }
    targetFailed();
    return retry(RetryConfig.Condition.ofStatus(code));
  }

  /** 101 from the upstream: relayed for a WebSocket upgrade, a protocol error for anything else. */
  private void onSwitchingProtocols(HttpResponse response) {
    if (!webSocket) {
      ReferenceCountUtil.release(response);
      onUpstreamFailure(new java.net.ProtocolException("101 to a request that asked no upgrade"));
      return;
    }
    targetSucceeded(System.nanoTime());
    cancelResponseTimeout();
    responseStarted = true;
    status = 101;
    targetPool.observer().responseHeadReceived(System.nanoTime() - upstreamSentNanos);
    HttpHeaders headers = response.headers();
    HopByHopHeaders.strip(headers);
    WebSocketTunnel.restoreUpgradeHeaders(headers);
    headers.set(RequestIds.HEADER, requestId);
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    ctx.write(response, ctx.voidPromise());
    tunnelPending = true;
  }

  /** The 101 is complete: both connections become a byte tunnel and this exchange ends. */
  private void startTunnel() {
    tunnelPending = false;
    ctx.flush();
    UpstreamConnection conn = upstream;
    upstream = null;
    upstreamReadPaused = false;
    conn.detach();
    recordEnd();
    connection.exchangeUpgraded(this);
    if (ctx.channel().isActive()) {
      WebSocketTunnel.open(ctx, conn);
    } else {
      conn.channel().close();
    }
  }

  /** Relays the head; true when an observer replaced the response (nothing was sent of it). */
  private boolean onResponseHead(HttpResponse response) {
    cancelResponseTimeout();
    responseStarted = true;
    status = response.status().code();
    targetPool.observer().responseHeadReceived(responseHeadNanos - upstreamSentNanos);
    HttpHeaders headers = response.headers();
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    boolean upstreamChunked = HttpUtil.isTransferEncodingChunked(response);
    HopByHopHeaders.strip(headers);
    GatewayResponse replacement = observeHead(response.status(), headers, true);
    if (replacement != null) {
      responseStarted = false;
      discardingUpstream = true;
      respondLocally(replacement);
      return true;
    }
    if (!requestComplete && expectsBody) {
      // The upstream answered before the client finished sending: the rest of the body cannot be
      // forwarded, and the client connection cannot be reused for a next request.
      keepAlive = false;
    }
    boolean noBody =
        method().equals(HttpMethod.HEAD)
            || response.status().code() == 204
            || response.status().code() == 304;
    if (upstreamChunked && headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (noBody) {
        if (upstreamChunked) {
          headers.set(HeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
      } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
        headers.set(HeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        keepAlive = false; // HTTP/1.0 client: the body ends when the connection does
      }
    }
    String via = headers.get(HttpHeaderNames.VIA);
    headers.set(
        HttpHeaderNames.VIA,
        via == null ? ForwardedHeaders.VIA_VALUE : via + ", " + ForwardedHeaders.VIA_VALUE);
    finishHead(response.status(), headers);
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    ctx.write(response, ctx.voidPromise());
    return false;
  }

  /** The observer's head callback, at most once per exchange; null when there is none. */
  private GatewayResponse observeHead(
      HttpResponseStatus status, HttpHeaders headers, boolean fromUpstream) {
    ResponseObserver observer = get(ResponseObserver.KEY);
    if (observer == null || headObserved) {
      return null;
    }
    headObserved = true;
    return observer.onResponseHead(status, headers, fromUpstream);
  }

  /**
   * A part of an upstream response the client gets a replacement for: dropped, and the connection
   * pooled again once the response ended cleanly on it.
   */
  private void discardUpstreamPart(HttpObject msg) {
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg);
    if (last) {
      discardingUpstream = false;
      upstreamDone();
      releaseUpstream(upstreamKeepAlive && requestSent);
    }
  }

  /** Headers every response to the client gets, relayed or local. */
  private void finishHead(HttpResponseStatus status, HttpHeaders headers) {
    headers.set(RequestIds.HEADER, requestId);
    SecurityResponseHeaders.apply(context.server().security().headers(), context.scheme(), headers);
    if (route != null) {
      for (ResponseFilter filter : route.responseFilters()) {
        filter.onResponse(this, status, headers);
      }
    }
    if (context.state().draining()) {
      keepAlive = false;
    }
    if (!keepAlive) {
      headers.set(HeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (!request.protocolVersion().isKeepAliveDefault()) {
      headers.set(HeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  private void finishRelayedResponse(LastHttpContent last) {
    relayedWhole = true;
    upstreamDone();
    boolean reusable = upstreamKeepAlive && requestSent;
    releaseUpstream(reusable);
    ctx.writeAndFlush(last).addListener(completion());
  }

  @Override
  public void onResponseReadComplete() {
    if (responseStarted && !ended) {
      ctx.flush();
    }
  }

  /** The client can take more: resume reading the response from the upstream. */
  void onDownstreamWritable() {
    if (upstreamReadPaused && upstream != null) {
      upstreamReadPaused = false;
      upstream.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void onUpstreamFailure(Throwable cause) {
    UpstreamConnection failed = upstream;
    boolean reused = failed != null && failed.reused();
    releaseUpstream(false);
    if (ended || answeredLocally) {
      return;
    }
    if (responseStarted) {
      // Part of the response is already with the client: all we can do is cut the connection.
      log.debug("upstream {} failed mid-response: {}", route.upstream(), cause.toString());
      keepAlive = false;
      end();
      ctx.close();
      return;
    }
    if (reused && !bodyBytesSent && !retried) {
      // A pooled connection the upstream had already closed: nothing of the request was consumed
      // by it, so sending it again on a fresh connection is safe.
      retried = true;
      requestSent = false;
      cancelResponseTimeout();
      targetPool.acquire(this);
      return;
    }
    cancelResponseTimeout();
    targetFailed();
    if (retry(RetryConfig.Condition.RESET)) {
      return;
    }
    log.warn("upstream {} failed before responding: {}", route.upstream(), cause.toString());
    respondLocally(
        GatewayResponse.error(
            HttpResponseStatus.BAD_GATEWAY,
            "upstream_reset",
            "The upstream '" + route.upstream() + "' closed the connection without a response.",
            this));
  }

  private void releaseUpstream(boolean reusable) {
    UpstreamConnection conn = upstream;
    if (conn == null) {
      return;
    }
    upstream = null;
    if (upstreamReadPaused) {
      upstreamReadPaused = false;
      conn.channel().config().setAutoRead(true);
    }
    conn.release(reusable);
  }

  private void cancelResponseTimeout() {
    if (upstream != null) {
      upstream.stopAwaitingResponse();
    }
  }

  // ---- local answers and the end ----

  private void respondInternalError() {
    respondLocally(
        GatewayResponse.error(
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            "internal_error",
            "The gateway failed to process the request.",
            this));
  }

  /** Answers the client from the gateway itself; the upstream, if any, is not asked. */
  void respondLocally(GatewayResponse answer) {
    if (ended || responseStarted) {
      return;
    }
    GatewayResponse replacement = observeHead(answer.status(), answer.headers(), false);
    GatewayResponse local = replacement != null ? replacement : answer;
    answeredLocally = true;
    responseStarted = true;
    status = local.status().code();
    upstreamDone();
    cancelResponseTimeout();
    releasePendingBody();
    if (expectsBody && !requestComplete) {
      keepAlive = false; // not worth reading a body nobody will use
    }
    boolean head = method().equals(HttpMethod.HEAD);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            local.status(),
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(local.body()));
    responseBodyBytes = response.content().readableBytes();
    HttpHeaders headers = response.headers();
    headers.set(local.headers());
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, local.body().length);
    finishHead(local.status(), headers);
    ctx.writeAndFlush(response).addListener(completion());
  }

  private ChannelFutureListener completion() {
    return future -> {
      if (!future.isSuccess()) {
        keepAlive = false;
        relayedWhole = false;
      }
      end();
    };
  }

  /** Runs once: the response is fully written (or abandoned). */
  private void end() {
    if (ended) {
      return;
    }
    recordEnd();
    connection.exchangeEnded(this, keepAlive && (requestComplete || !expectsBody));
  }

  private void recordEnd() {
    ended = true;
    endNanos = System.nanoTime();
    upstreamDone();
    cancelResponseTimeout();
    releasePermit();
    if (retryTimer != null) {
      retryTimer.cancel(false);
      retryTimer = null;
    }
    releasePendingBody();
    ResponseObserver responseObserver = get(ResponseObserver.KEY);
    if (responseObserver != null) {
      set(ResponseObserver.KEY, null);
      try {
        responseObserver.onResponseEnd(relayedWhole);
      } catch (RuntimeException e) {
        log.error("response observer failed for request {}", requestId, e);
      }
    }
    try {
      context.observer().exchangeEnded(this);
    } catch (RuntimeException e) {
      // A broken observer must not leave the client connection waiting for its next request.
      log.error("observer failed for request {}", requestId, e);
    }
    // After the observer, so a drained gateway (no request in flight) has recorded everything.
    context.state().exchangeEnded();
  }

  /** The client went away. */
  void onDownstreamClosed() {
    keepAlive = false;
    releaseUpstream(false);
    end();
  }

  private void releasePendingBody() {
    if (pendingBody != null) {
      HttpContent part;
      while ((part = pendingBody.poll()) != null) {
        part.release();
      }
      pendingBody = null;
    }
  }

  boolean requestComplete() {
    return requestComplete;
  }

  // ---- observation ----

  /** The upstream wait ends at its last response byte, or when the gateway gives up on it. */
  private void upstreamDone() {
    if (upstreamAsked && upstreamNanos == 0) {
      upstreamNanos = Math.max(1, System.nanoTime() - upstreamStartNanos);
    }
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public long durationNanos() {
    return endNanos - startNanos;
  }

  @Override
  public long upstreamNanos() {
    return upstreamNanos;
  }

  @Override
  public long requestBodyBytes() {
    return requestBodyBytes;
  }

  @Override
  public long responseBodyBytes() {
    return responseBodyBytes;
  }

  @Override
  public Target upstreamTarget() {
    return targetPool == null ? null : targetPool.target();
  }
}
