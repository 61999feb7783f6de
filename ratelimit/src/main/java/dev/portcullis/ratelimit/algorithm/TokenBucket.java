package dev.portcullis.ratelimit.algorithm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free token bucket: bursts up to a capacity, refilled at a steady rate.
 *
 * <p>Algorithm: GCRA counted in permits rather than nanoseconds. Permits are emitted on one
 * timeline shared by every key of this bucket: {@code elapsed} nanoseconds after the bucket was
 * created, {@code emitted = floor(elapsed * R / P)} permits exist (R permits per period P). A key's
 * whole state is its spent mark S, the emission index up to which it has taken permits (the
 * theoretical arrival time, in permits). The key holds {@code capacity - max(0, S - emitted)}
 * tokens; acquiring n moves S to {@code max(S, emitted) + n}, allowed only while that stays within
 * {@code emitted + capacity}. Refill is therefore computed lazily from the clock, never by a timer.
 *
 * <p>Threading: any thread, any number at once. The mark is an {@link AtomicLong} advanced by one
 * compare-and-set loop: no lock, no allocation. A thread that read the clock before another
 * thread's swap works with a smaller emitted count, which can make it refuse, never over-admit.
 *
 * <p>Layout, and why: counting permits instead of time makes every rate exact (7/second never
 * rounds its 142857142.857ns interval, so no drift accumulates) and nothing overflows however long
 * the process runs (see {@link Arith}); tokens in fixed point plus a timestamp would need both
 * squeezed into 64 bits. A mark of 0 is a full bucket at any time, so a new key needs neither a
 * clock read nor a timestamp, and a key dropped after idling is indistinguishable from one never
 * seen. The price of the shared timeline: the permit after a drain arrives at the next emission
 * instant, up to one interval sooner than continuous GCRA would give it, so an interval of length L
 * admits at most {@code capacity + ceil(L * R / P)} permits where GCRA admits one fewer.
 */
public final class TokenBucket implements RateLimitAlgorithm<AtomicLong> {
  // A bucket that takes longer than this to refill from empty is a configuration mistake, and
  // the bound keeps emission instants far below 2^63 nanoseconds.
  private static final long MAX_REFILL_NANOS = 10L * 366 * 86_400 * 1_000_000_000L;

  private final int capacity;
  private final Rate refill;
  private final long permitsPerPeriod;
  private final long periodNanos;
  private final long fullRefillNanos;
  private final NanoClock clock;
  private final long origin;

  /**
   * @param capacity the burst: permits a full bucket holds
   * @param refill how fast permits come back, at most one per nanosecond
   */
  public TokenBucket(int capacity, Rate refill, NanoClock clock) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    if (refill.count() > refill.periodNanos()) {
      throw new IllegalArgumentException(
          "refill: " + refill + " (expected: at most one permit per nanosecond)");
    }
    if ((double) capacity * refill.periodNanos() / refill.count() > MAX_REFILL_NANOS) {
      throw new IllegalArgumentException(
          "capacity: "
              + capacity
              + " (expected: a bucket that refills within 10 years at "
              + refill
              + ")");
    }
    this.capacity = capacity;
    this.refill = refill;
    this.permitsPerPeriod = refill.count();
    this.periodNanos = refill.periodNanos();
    this.fullRefillNanos = Arith.mulDivCeil(capacity, periodNanos, permitsPerPeriod);
    this.clock = clock;
    this.origin = clock.nanoTime();
  }

  @Override
  public AtomicLong newState() {
    return new AtomicLong();
  }

  @Override
  public long tryAcquire(AtomicLong state, int permits, long nowNanos) {
    Arith.checkPermits(permits, capacity);
    long elapsed = Math.max(0, nowNanos - origin);
    long emitted = Arith.mulDivFloor(elapsed, permitsPerPeriod, periodNanos);
    long limitMark = emitted + capacity;
    for (; ; ) {
      long mark = state.get();
      long next = Math.max(mark, emitted) + permits;
      if (next > limitMark) {
        long retryAfter = emissionTime(next - capacity) - elapsed;
        return RateLimitDecision.refusedNanos(retryAfter, emissionTime(mark) - elapsed);
      }
      if (state.compareAndSet(mark, next)) {
        return RateLimitDecision.admittedNanos(limitMark - next, emissionTime(next) - elapsed);
      }
    }
  }

  /** The nanoseconds after the origin at which permit number {@code index} is emitted. */
  private long emissionTime(long index) {
    return Arith.mulDivCeil(index, periodNanos, permitsPerPeriod);
  }

  @Override
  public int limit() {
    return capacity;
  }

  public Rate refill() {
    return refill;
  }

  /** From empty to full. */
  @Override
  public long idleResetNanos() {
    return fullRefillNanos;
  }

  @Override
  public NanoClock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "TokenBucket(capacity=" + capacity + ", refill=" + refill + ")";
  }
}
