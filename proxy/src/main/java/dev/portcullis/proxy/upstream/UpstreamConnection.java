package dev.portcullis.proxy.upstream;

import io.netty.channel.Channel;

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
    listener = null;
    pool.release(this, reusable);
  }

  /**
   * Takes the connection out of the pool for good (instead of {@link #release}): the caller owns it
   * and closes it. It still counts against the target's limit until it closes.
   */
  public void detach() {
    listener = null;
    pool.detach(this);
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
