package dev.portcullis.ratelimit.algorithm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most {@code limit} permits per fixed window; the count starts again at each window boundary.
 * Cheapest of the algorithms, but a client can take twice the limit across a boundary: use {@link
 * SlidingWindow} unless that is acceptable.
 *
 * <p>Algorithm: windows are consecutive periods on one timeline shared by every key, starting when
 * this instance was created. A key's state is the number of its window and its count there; a
 * request in a later window finds the count reset.
 *
 * <p>Threading: any thread; the state is one {@link AtomicLong} swapped by a compare-and-set loop,
 * with no lock and no allocation. A thread whose clock reading predates the window another thread
 * has already moved the key into counts its request in that newer window: conservative.
 *
 * <p>Layout: the low 32 bits of the window number (bits 63..32) and the count (bits 31..0). A state
 * of 0 is an empty count, so a new key needs no clock read. Only the low bits of the window number
 * are kept, so a state idle for a multiple of 2<sup>32</sup> windows (49 days of 1ms windows) would
 * look current; a store drops states long before, after {@link #idleResetNanos()}.
 */
public final class FixedWindow implements RateLimitAlgorithm<AtomicLong> {
  private static final long COUNT_MASK = 0xFFFF_FFFFL;

  private final Rate rate;
  private final int limit;
  private final long windowNanos;
  private final NanoClock clock;
  private final long origin;

  public FixedWindow(Rate rate, NanoClock clock) {
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
    for (; ; ) {
      long current = state.get();
      int stateWindow = (int) (current >>> 32);
      long count = current & COUNT_MASK;
      int windowBits = (int) window;
      long untilEnd = windowNanos - intoWindow;
      int age = windowBits - stateWindow;
      if (age == -1 && count != 0) {
        windowBits = stateWindow;
        untilEnd = windowNanos;
      } else if (age != 0) {
        count = 0;
      }
      if (count + permits > limit) {
        return RateLimitDecision.refusedNanos(untilEnd, untilEnd);
      }
      long next = (long) windowBits << 32 | (count + permits);
      if (state.compareAndSet(current, next)) {
        return RateLimitDecision.admittedNanos(limit - count - permits, untilEnd);
      }
    }
  }

  @Override
  public int limit() {
    return limit;
  }

  public Rate rate() {
    return rate;
  }

  /** A window: by then the key's next request is in a later window, with a fresh count. */
  @Override
  public long idleResetNanos() {
    return windowNanos;
  }

  @Override
  public NanoClock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "FixedWindow(" + rate + ")";
  }
}
