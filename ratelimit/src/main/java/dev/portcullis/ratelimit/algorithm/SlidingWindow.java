package dev.portcullis.ratelimit.algorithm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most {@code limit} permits in any window-long stretch of time, approximately; the default
 * sliding algorithm.
 *
 * <p>Algorithm: the two-counter approximation of a sliding window. Time is cut into fixed windows
 * on a timeline shared by every key; a key counts its permits in the current and the previous
 * window and assumes the previous window's were spread evenly, so at a point {@code e} into the
 * current window its usage is {@code ceil(previous * (W - e) / W) + current}. A request for n
 * permits is admitted while that plus n is at most the limit. Since the estimate never falls below
 * the current count, no fixed window ever admits more than the limit; bursts straddling a boundary
 * are smoothed, unlike {@link FixedWindow}. {@link SlidingLog} is exact at a far higher cost.
 *
 * <p>Threading: any thread; the state is one {@link AtomicLong} swapped by a compare-and-set loop,
 * with no lock and no allocation. A thread whose clock reading predates the window another thread
 * has already moved the key into counts its request at the start of that newer window:
 * conservative.
 *
 * <p>Layout: the low 20 bits of the window number (bits 63..44), the previous count (43..22) and
 * the current count (21..0), so limits go up to 4,194,303 per window. Everything in one word is
 * what lets a single compare-and-set keep the three consistent. A state of 0 has empty counts, so a
 * new key needs no clock read. Only the low bits of the window number are kept, so a state idle for
 * a multiple of 2<sup>20</sup> windows (12 days of 1s windows) would look current; a store drops
 * states long before, after {@link #idleResetNanos()}.
 */
public final class SlidingWindow implements RateLimitAlgorithm<AtomicLong> {
  /** The largest limit the 22-bit counts hold. */
  public static final int MAX_LIMIT =
      dev.portcullis.core.config.RateLimitsConfig.SLIDING_WINDOW_MAX_PERMITS;

  private static final int WINDOW_SHIFT = 44;
  private static final int PREVIOUS_SHIFT = 22;
  private static final int WINDOW_MASK = (1 << 20) - 1;
  private static final long COUNT_MASK = MAX_LIMIT;

  private final Rate rate;
  private final int limit;
  private final long windowNanos;
  private final NanoClock clock;
  private final long origin;

  public SlidingWindow(Rate rate, NanoClock clock) {
    if (rate.count() > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "rate: " + rate + " (expected: a count of at most " + MAX_LIMIT + " per window)");
    }
    this.rate = rate;
    this.limit = rate.count();
    this.windowNanos = rate.periodNanos();
    this.clock = clock;
    this.origin = clock.nanoTime();
  }

  @Override
  public AtomicLong newState() {
    return new AtomicLong();
  }

  @Override
  public long tryAcquire(AtomicLong state, int permits, long nowNanos) {
    Arith.checkPermits(permits, limit);
    long elapsed = Math.max(0, nowNanos - origin);
    long window = elapsed / windowNanos;
    long intoWindow = elapsed - window * windowNanos;
    int nowBits = (int) window & WINDOW_MASK;
    for (; ; ) {
      long current = state.get();
      int stateBits = (int) (current >>> WINDOW_SHIFT);
      long previous = (current >>> PREVIOUS_SHIFT) & COUNT_MASK;
      long count = current & COUNT_MASK;
      int windowBits = nowBits;
      long into = intoWindow;
      int age = (nowBits - stateBits) & WINDOW_MASK;
      if (age == 1) {
        previous = count;
        count = 0;
      } else if (age == WINDOW_MASK && (previous | count) != 0) {
        windowBits = stateBits;
        into = 0;
      } else if (age != 0) {
        previous = 0;
        count = 0;
      }
      long weighted =
          previous == 0 ? 0 : Arith.mulDivCeil(previous, windowNanos - into, windowNanos);
      long used = weighted + count;
      if (used + permits > limit) {
        return RateLimitDecision.refusedNanos(
            retryAfter(previous, count, permits, into), untilEmpty(previous, count, into));
      }
      long next =
          (long) windowBits << WINDOW_SHIFT | previous << PREVIOUS_SHIFT | (count + permits);
      if (state.compareAndSet(current, next)) {
        return RateLimitDecision.admittedNanos(
            limit - used - permits, untilEmpty(previous, count + permits, into));
      }
    }
  }

  /**
   * The wait until {@code permits} more fit: the earliest point e' where {@code ceil(previous * (W
   * - e') / W) + count + permits <= limit}, in this window if the current count leaves room, else
   * in the next, where this window's count becomes the previous one.
   */
  private long retryAfter(long previous, long count, int permits, long into) {
    long room = limit - count - permits;
    if (room >= 0) {
      return windowNanos - Arith.mulDivFloor(room, windowNanos, previous) - into;
    }
    long untilNext = windowNanos - into;
    return untilNext + windowNanos - Arith.mulDivFloor(limit - permits, windowNanos, count);
  }

  private long untilEmpty(long previous, long count, long into) {
    if (count != 0) {
      return 2 * windowNanos - into;
    }
    return previous != 0 ? windowNanos - into : 0;
  }

  @Override
  public int limit() {
    return limit;
  }

  public Rate rate() {
    return rate;
  }

  /** Two windows: a count weighs on decisions until the end of the window after its own. */
  @Override
  public long idleResetNanos() {
    return 2 * windowNanos;
  }

  @Override
  public NanoClock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "SlidingWindow(" + rate + ")";
  }
}
