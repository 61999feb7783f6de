package dev.portcullis.proxy.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Cuts off a client that trickles its request head (slowloris): the clock starts at the first byte
 * of a request and stops when the decoder has the whole head ({@link #headReceived}, called by
 * {@link DownstreamHandler}). An idle keep-alive connection is not a slow one: between requests the
 * idle timeout applies instead.
 *
 * <p>The timer is armed lazily: a head that completes in the read that started it (nearly every
 * one) only records its start; the one timer a connection has looks at the head in progress when it
 * fires and arms itself again for what is left, or for the next head. Scheduling and cancelling a
 * timer per request was a priority-queue insert and removal per request on the event loop.
 *
 * <p>Sits before the HTTP codec, so it sees raw bytes; it passes every buffer on untouched. One
 * instance per channel, all calls on its event loop.
 */
public final class RequestHeadTimeoutHandler extends ChannelDuplexHandler {
  private static final byte[] TIMEOUT_RESPONSE =
      ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"
              + "Content-Length: 81\r\n\r\n"
              + "{\"error\":\"request_timeout\",\"message\":\"The request head did not arrive in time.\"}\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final long timeoutNanos;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  private boolean awaitingHead = true;
  private boolean headInProgress;
  private long headStartNanos;

  public RequestHeadTimeoutHandler(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (awaitingHead && !headInProgress && msg instanceof ByteBuf buf && buf.isReadable()) {
      headInProgress = true;
      headStartNanos = System.nanoTime();
      if (timer == null) {
        arm(timeoutNanos);
      }
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * The decoder produced a request head. Bytes after it on the same read belong to its body (or a
   * pipelined request, whose head then gets no clock of its own: it arrived with this one).
   */
  void headReceived() {
    awaitingHead = false;
    headInProgress = false;
  }

  /** The exchange ended on a kept-alive connection: the next bytes start a new head. */
  void awaitNextHead() {
    awaitingHead = true;
  }

  private void arm(long delayNanos) {
    timer = ctx.executor().schedule(this::expire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void expire() {
    timer = null;
    if (!headInProgress || !ctx.channel().isActive()) {
      return; // the next head arms the timer again
    }
    long left = timeoutNanos - (System.nanoTime() - headStartNanos);
    if (left > 0) {
      arm(left); // a later head than the one the timer was armed for
      return;
    }
    // The head never completed, so no exchange exists to answer through: write raw bytes.
    ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_RESPONSE))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    headReceived();
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    ctx.fireChannelInactive();
  }
}
