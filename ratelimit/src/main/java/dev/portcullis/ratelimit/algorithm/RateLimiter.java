package dev.portcullis.ratelimit.algorithm;

/**
 * Decides, for a key (a client address, an API key, a user), whether a request may go ahead.
 * Thread-safe; answers immediately, without I/O.
 */
public interface RateLimiter {

  /**
   * Takes {@code permits} from the key's allowance if all are available, else none.
   *
   * @return a decision, read with {@link RateLimitDecision}; allocates nothing once the key is
   *     known
   */
  long tryAcquire(String key, int permits);

  /** The same at a time already read from the limiter's clock (see {@link RateLimitAlgorithm}). */
  long tryAcquire(String key, int permits, long nowNanos);

  /** The {@code RateLimit-Limit} value: the most permits a key can take at once. */
  int limit();
}
