package dev.portcullis.proxy.forward;

import dev.portcullis.core.pipeline.GatewayResponse;
import dev.portcullis.proxy.compression.ResponseCompressionHandler;
import dev.portcullis.proxy.upstream.LoopUpstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connection: turns decoded HTTP/1.1 messages into {@link ProxyExchange}s, one at a
 * time, so responses leave in request order.
 *
 * <p>AUTO_READ is off: the handler reads the next request only when the previous exchange has
 * ended, and reads body parts only as fast as the upstream takes them. Pipelined requests that
 * arrive in the same read as an earlier one are held (they are at most one read's worth) and
 * replayed in order.
 *
 * <p>Threading: one instance per channel, all calls on its event loop.
 */
public final class DownstreamHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(DownstreamHandler.class);

  private final ForwardingContext context;
  private ChannelHandlerContext ctx;
  private Map<String, LoopUpstream> upstreams;
  private ProxyExchange current;
  private ArrayDeque<Object> pipelined;
  private boolean replaying;
  private boolean active;
  private ScheduledFuture<?> requestSweep;
  private RequestHeadTimeoutHandler headTimeout;

  public DownstreamHandler(ForwardingContext context) {
    this.context = context;
  }

  ForwardingContext context() {
    return context;
  }

  LoopUpstream upstream(String name) {
    return upstreams.get(name);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.headTimeout = ctx.pipeline().get(RequestHeadTimeoutHandler.class);
    this.upstreams = context.pools().forLoop(ctx.channel().eventLoop());
    if (ctx.channel().isRegistered() && ctx.channel().isActive()) {
      activate();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    activate();
    ctx.fireChannelActive();
  }

  /**
   * Starts reading the first request. On a TLS or h2c connection this handler is added once the
   * protocol is known, to a channel already active, so {@code handlerAdded} starts it instead.
   */
  private void activate() {
    if (!active) {
      active = true;
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (current != null && current.requestComplete() || pipelined != null && !replaying) {
      if (pipelined == null) {
        pipelined = new ArrayDeque<>(4);
      }
      pipelined.add(msg);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (current != null) {
      if (msg instanceof HttpContent content) {
        current.onRequestContent(content);
      } else {
        ReferenceCountUtil.release(msg);
      }
      return;
    }
    if (msg instanceof HttpRequest request) {
      if (!ctx.channel().isActive()) {
        // The decoder flushing a partial head as the connection closes: nobody to answer.
        ReferenceCountUtil.release(msg);
        return;
      }
      if (headTimeout != null) {
        headTimeout.headReceived();
      }
      ProxyExchange exchange = new ProxyExchange(this, ctx, request);
      current = exchange;
      armRequestTimeoutSweep();
      exchange.start();
      if (request instanceof HttpContent content) {
        // A decoder failure can come as a full message; its (empty) content goes nowhere.
        content.release();
      }
    } else {
      // The tail of a request already answered locally (for example after a 404).
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * One timer per busy connection, not per request: it looks at the exchange in flight every eighth
   * of the request timeout and stops when the connection goes quiet.
   */
  private void armRequestTimeoutSweep() {
    long timeout = current.requestTimeoutNanos();
    if (timeout > 0 && requestSweep == null) {
      requestSweep =
          ctx.executor()
              .schedule(
                  this::sweepRequestTimeout,
                  Math.max(timeout / 8, 1_000_000),
                  TimeUnit.NANOSECONDS);
    }
  }

  private void sweepRequestTimeout() {
    requestSweep = null;
    ProxyExchange exchange = current;
    if (exchange == null) {
      return;
    }
    long timeout = exchange.requestTimeoutNanos();
    if (timeout > 0 && System.nanoTime() - exchange.startNanos() >= timeout) {
      exchange.onRequestTimeout();
    }
    if (current != null && ctx.channel().isActive()) {
      armRequestTimeoutSweep();
    }
  }

  /**
   * The exchange's route set a timeout of its own: sweep at its pace from now on (a route's shorter
   * timeout must not wait for a sweep paced for the listener's).
   */
  void requestTimeoutChanged(ProxyExchange exchange) {
    if (exchange != current) {
      return;
    }
    long period = Math.max(exchange.requestTimeoutNanos() / 8, 1_000_000);
    if (requestSweep != null
        && requestSweep.getDelay(TimeUnit.NANOSECONDS) > period
        && requestSweep.cancel(false)) {
      requestSweep = null;
    }
    armRequestTimeoutSweep();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (current != null) {
      current.onDownstreamReadComplete();
    }
    ctx.fireChannelReadComplete();
  }

  /** Called by the exchange once its response is fully written or abandoned. */
  void exchangeEnded(ProxyExchange exchange, boolean keepAlive) {
    if (exchange != current) {
      return;
    }
    current = null;
    if (!keepAlive || context.state().draining() || !ctx.channel().isActive()) {
      releasePipelined();
      ctx.close();
      return;
    }
    if (headTimeout != null) {
      headTimeout.awaitNextHead();
    }
    if (replaying) {
      return; // the replay loop goes on with the next held message
    }
    replayPipelined();
    if (current == null) {
      ctx.read();
    } else {
      current.onDownstreamReadComplete();
    }
  }

  private void replayPipelined() {
    if (pipelined == null) {
      return;
    }
    replaying = true;
    try {
      while (pipelined != null && (current == null || !current.requestComplete())) {
        Object next = pipelined.poll();
        if (next == null) {
          break;
        }
        dispatch(next);
      }
    } finally {
      replaying = false;
      if (pipelined != null && pipelined.isEmpty()) {
        pipelined = null;
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null && ctx.channel().isWritable()) {
      current.onDownstreamWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent || evt == DrainEvent.INSTANCE) {
      closeIfIdle();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** Closes the connection now if no exchange is in flight; otherwise it closes after it. */
  public void closeIfIdle() {
    if (current == null) {
      ctx.close();
    }
  }

  /**
   * The exchange switched the connection to another protocol (a WebSocket tunnel now owns it): stop
   * reading HTTP requests and leave the pipeline to the tunnel.
   */
  void exchangeUpgraded(ProxyExchange exchange) {
    if (exchange != current) {
      return;
    }
    current = null;
    cancelRequestSweep();
    releasePipelined();
  }

  private void cancelRequestSweep() {
    if (requestSweep != null) {
      requestSweep.cancel(false);
      requestSweep = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelRequestSweep();
    releasePipelined();
    ProxyExchange exchange = current;
    if (exchange != null) {
      exchange.onDownstreamClosed();
      current = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    if (cause instanceof DecoderException && current == null && ctx.channel().isActive()) {
      // The decoder gave up on a request head it could not even turn into a message: still
      // answer 400 with the usual body rather than a silent close.
      GatewayResponse error =
          GatewayResponse.error(
              HttpResponseStatus.BAD_REQUEST,
              "bad_request",
              "The request is not valid HTTP/1.1.",
              RequestIds.generate());
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, error.status(), Unpooled.wrappedBuffer(error.body()));
      response.headers().set(error.headers());
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, error.body().length);
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      // No request passed the compressor for this answer, so it must not see it either.
      ChannelHandlerContext out = ctx.pipeline().context(ResponseCompressionHandler.class);
      (out == null ? ctx : out).writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.close();
  }

  private void releasePipelined() {
    if (pipelined != null) {
      Object msg;
      while ((msg = pipelined.poll()) != null) {
        ReferenceCountUtil.release(msg);
      }
      pipelined = null;
    }
  }
}
