package dev.portcullis.ratelimit.algorithm;

/**
 * One limit (say 1000/hour), shared by every key it applies to; each key has its own state of type
 * {@code S}, which a store such as {@link LocalRateLimiter} keeps. Splitting the two keeps the
 * per-key footprint to the state alone (for most algorithms one {@code AtomicLong}).
 *
 * <p>Implementations are thread-safe: any number of threads may decide on the same state at once.
 */
public interface RateLimitAlgorithm<S> {

  /** The state of a key never seen before: its full limit is available, whatever the time. */
  S newState();

  /**
   * Takes {@code permits} from the key if all of them are available now, else takes none.
   *
   * @param permits 1 to {@link #limit()}; more could never be admitted
   * @return a decision, read with {@link RateLimitDecision}
   * @throws IllegalArgumentException if {@code permits} is outside 1..{@link #limit()}
   */
  default long tryAcquire(S state, int permits) {
    return tryAcquire(state, permits, clock().nanoTime());
  }

  /**
   * The same, at a time the caller already read from {@link #clock()}: the gateway reads the clock
   * once when a request arrives and every limiter of that request decides at that instant, which
   * saves a clock read per decision (on a VM it costs more than the decision itself). A time a
   * little older than one another thread already used can only make a decision stricter.
   */
  long tryAcquire(S state, int permits, long nowNanos);

  /** The most permits a key can take at once: the {@code RateLimit-Limit} value. */
  int limit();

  /**
   * How long a state left untouched takes to become indistinguishable from {@link #newState()}: a
   * store may drop a key idle this long without changing any decision.
   */
  long idleResetNanos();

  NanoClock clock();
}
