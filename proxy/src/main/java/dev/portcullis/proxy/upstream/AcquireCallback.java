package dev.portcullis.proxy.upstream;

/** Told, on the requesting event loop, how an acquisition from a pool ended. */
public interface AcquireCallback {

  /** The connection is now bound to the callback's listener. */
  void onAcquired(UpstreamConnection connection);

  /**
   * No connection: {@link AcquireFailure#CONNECT_FAILED} (refused, unreachable, connect timeout),
   * {@link AcquireFailure#POOL_EXHAUSTED} (limit reached and the wait queue full) or {@link
   * AcquireFailure#WAIT_TIMEOUT} (waited for a free connection too long).
   */
  void onAcquireFailed(AcquireFailure failure, Throwable cause);

  /** The listener that the acquired connection is bound to. */
  UpstreamListener listener();
}
