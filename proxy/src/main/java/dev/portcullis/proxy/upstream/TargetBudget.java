package dev.portcullis.proxy.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection limit of one target, shared by the per-event-loop pools of that target. It is the
 * only cross-thread state of the pools and is touched only when a connection opens or closes, never
 * per request.
 *
 * <p>When the limit is reached, a loop whose requests wait asks the other loops to give up an idle
 * connection; closing one frees a permit, and the loops with waiters are told to try again.
 */
final class TargetBudget {
  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private volatile TargetPool[] pools = new TargetPool[0];

  TargetBudget(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  void register(TargetPool[] loopPools) {
    this.pools = loopPools;
  }

  boolean tryReserve() {
    for (; ; ) {
      int current = open.get();
      if (current >= maxConnections) {
        return false;
      }
      if (open.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  boolean exhausted() {
    return open.get() >= maxConnections;
  }

  int open() {
    return open.get();
  }

  int idle() {
    int idle = 0;
    for (TargetPool pool : pools) {
      idle += pool.idleCount();
    }
    return idle;
  }

  /** A connection closed (or failed to open): its permit goes to a loop with waiters, if any. */
  void release(TargetPool releasedBy) {
    open.decrementAndGet();
    for (TargetPool pool : pools) {
      if (pool.hasWaiters()) {
        pool.executor().execute(pool::onPermitAvailable);
        return;
      }
    }
  }

  /** Some loop waits for a permit: ask another loop holding idle connections to close one. */
  void requestIdleConnection(TargetPool requester) {
    for (TargetPool pool : pools) {
      if (pool != requester && pool.idleCount() > 0) {
        pool.executor().execute(pool::closeOneIdle);
        return;
      }
    }
  }

  /** Whether a loop other than {@code self} has requests waiting for a connection. */
  boolean othersWaiting(TargetPool self) {
    for (TargetPool pool : pools) {
      if (pool != self && pool.hasWaiters()) {
        return true;
      }
    }
    return false;
  }
}
