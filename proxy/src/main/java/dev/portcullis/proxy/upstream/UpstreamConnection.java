package dev.portcullis.proxy.upstream;

import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A keep-alive connection to one target, owned by its event loop's {@link TargetPool}. While an
 * exchange uses it, it is bound to that exchange's {@link UpstreamListener}; otherwise it sits idle
 * in the pool. Touched only from its event loop.
 */
public final class UpstreamConnection {
  private final Channel channel;
  private final TargetPool pool;
  private UpstreamListener listener;
  private boolean reused;
  private long idleSinceNanos;
  private boolean awaitingResponse;
  private long responseDeadlineNanos;
  private ScheduledFuture<?> responseTimer;
  private long responseTimerDeadlineNanos;
  private final Runnable checkResponseDeadline = this::checkResponseDeadline;

  UpstreamConnection(Channel channel, TargetPool pool) {
    this.channel = channel;
    this.pool = pool;
  }

  public Channel channel() {
    return channel;
  }

  public Target target() {
    return pool.target();
  }

  /** True when this connection already carried an earlier request (it may have gone stale). */
  public boolean reused() {
    return reused;
  }

  /**
   * Gives the connection back: to the pool when {@code reusable} (a complete, well-framed response,
   * request fully sent), closed otherwise. Call exactly once per acquisition.
   */
  public void release(boolean reusable) {
    stopAwaitingResponse();
    if (!reusable) {
      cancelResponseTimer(); // the connection closes: nothing left for the timer to watch
    }
    listener = null;
    pool.release(this, reusable);
  }

  /**
   * Takes the connection out of the pool for good (instead of {@link #release}): the caller owns it
   * and closes it. It still counts against the target's limit until it closes.
   */
  public void detach() {
    stopAwaitingResponse();
    cancelResponseTimer();
    listener = null;
    pool.detach(this);
  }

  /**
   * The request is sent: the bound listener hears {@link UpstreamListener#onResponseTimeout} unless
   * {@link #stopAwaitingResponse} comes within {@code timeoutNanos}.
   *
   * <p>One timer per connection, re-armed lazily, instead of one scheduled and cancelled per
   * request: a kept-alive connection's next request usually has the same timeout, so the timer
   * armed for an earlier request fires, finds a later deadline and waits out the rest. Only a
   * deadline earlier than the armed one (a route with a shorter timeout) arms it anew.
   */
  public void awaitResponse(long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    awaitingResponse = true;
    responseDeadlineNanos = deadline;
    if (responseTimer != null && responseTimerDeadlineNanos - deadline > 0) {
      cancelResponseTimer();
    }
    if (responseTimer == null) {
      armResponseTimer(timeoutNanos, deadline);
    }
  }

  /** The response began, or the exchange let go of the connection: no timeout any more. */
  public void stopAwaitingResponse() {
    awaitingResponse = false;
  }

  private void cancelResponseTimer() {
    if (responseTimer != null) {
      responseTimer.cancel(false);
      responseTimer = null;
    }
  }

  private void armResponseTimer(long delayNanos, long deadline) {
    responseTimerDeadlineNanos = deadline;
    responseTimer =
        channel.eventLoop().schedule(checkResponseDeadline, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void checkResponseDeadline() {
    responseTimer = null;
    if (!awaitingResponse || !channel.isActive()) {
      return; // the next awaitResponse arms it again
    }
    long left = responseDeadlineNanos - System.nanoTime();
    if (left > 0) {
      armResponseTimer(left, responseDeadlineNanos);
      return;
    }
    awaitingResponse = false;
    UpstreamListener bound = listener;
    if (bound != null) {
      bound.onResponseTimeout();
    }
  }

  UpstreamListener listener() {
    return listener;
  }

  void bind(UpstreamListener newListener) {
    this.listener = newListener;
  }

  void markReused() {
    reused = true;
  }

  long idleSinceNanos() {
    return idleSinceNanos;
  }

  void idleSince(long nanos) {
    idleSinceNanos = nanos;
  }

  TargetPool pool() {
    return pool;
  }
}
