package dev.portcullis.proxy.observe;

import dev.portcullis.proxy.upstream.BreakerState;

/**
 * What happens on the connections to one upstream target. Resolved once per target when the pools
 * are built, so the engine records without any lookup. Called on event loops: must not block.
 */
public interface TargetObserver {
  TargetObserver NOOP =
      new TargetObserver() {
        @Override
        public void connected(long connectNanos) {}

        @Override
        public void connectFailed() {}

        @Override
        public void responseHeadReceived(long nanosSinceSent) {}

        @Override
        public void responseTimedOut() {}

        @Override
        public void poolWaitTimedOut() {}
      };

  /** A new connection is established (TCP, and TLS when the target is https). */
  void connected(long connectNanos);

  /** A new connection could not be opened: refused, unreachable or the connect timeout. */
  void connectFailed();

  /** The response head arrived, this long after the request head was written upstream. */
  void responseHeadReceived(long nanosSinceSent);

  /** No response head within the response timeout. */
  void responseTimedOut();

  /** No free pooled connection within the response timeout. */
  void poolWaitTimedOut();

  /** The target's circuit breaker moved to {@code to}; any thread. */
  default void breakerTransitioned(BreakerState to) {}

  /** Passive outlier detection took the target out of balancing; any thread. */
  default void ejected() {}

  /** One active health check of the target ended. */
  default void healthChecked(boolean healthy) {}

  /** A call to this target failed and the request was retried on another target. */
  default void retried() {}

  /** A call to this target failed and could have been retried, but the retry budget was spent. */
  default void retryBudgetExhausted() {}
}
