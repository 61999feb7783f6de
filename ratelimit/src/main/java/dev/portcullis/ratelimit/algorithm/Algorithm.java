package dev.portcullis.ratelimit.algorithm;

/** The in-process algorithms by name, for building one from configuration. */
public enum Algorithm {
  /** Bursts up to the count, refilled evenly over the period; see {@link TokenBucket}. */
  TOKEN_BUCKET,
  /** The default: approximately the count in any period-long stretch; see {@link SlidingWindow}. */
  SLIDING_WINDOW,
  /**
   * Exactly the count in any period-long stretch, at a timestamp per permit; see {@link
   * SlidingLog}.
   */
  SLIDING_LOG,
  /** The count per fixed period; see {@link FixedWindow}. */
  FIXED_WINDOW;

  /** A token bucket built here holds {@code rate.count()} permits and refills at {@code rate}. */
  public RateLimitAlgorithm<?> create(Rate rate, NanoClock clock) {
    return switch (this) {
      case TOKEN_BUCKET -> new TokenBucket(rate.count(), rate, clock);
      case SLIDING_WINDOW -> new SlidingWindow(rate, clock);
      case SLIDING_LOG -> new SlidingLog(rate, clock);
      case FIXED_WINDOW -> new FixedWindow(rate, clock);
    };
  }
}
