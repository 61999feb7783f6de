package dev.portcullis.ratelimit.algorithm;

/**
 * At most {@code limit} permits in any window-long stretch of time, exactly. Opt-in: each busy key
 * keeps a timestamp per permit, up to 8 bytes times the limit, where {@link SlidingWindow} keeps 8
 * bytes in all and is exact enough for nearly every use.
 *
 * <p>Algorithm: a key remembers when each of its permits in the last window was taken, oldest
 * first, in a ring that grows up to the limit. A request first forgets timestamps a window old,
 * then is admitted if its permits fit beside the rest. When refused, the wait is until the
 * timestamp whose expiry makes room.
 *
 * <p>Threading: any thread; each key's ring is guarded by its own monitor, held only to evict and
 * append (amortised constant time), never while waiting for anything. A lock is acceptable here and
 * not in the other algorithms because this one is chosen deliberately for a few keys that need
 * exactness; lock-free alternatives would copy the ring on every admission, allocating in
 * proportion to the limit. Keys never share a lock, so only requests for the same key contend.
 */
public final class SlidingLog implements RateLimitAlgorithm<SlidingLog.Log> {
  /** The largest limit accepted: 800 KB of timestamps for one busy key. */
  public static final int MAX_LIMIT =
      dev.portcullis.core.config.RateLimitsConfig.SLIDING_LOG_MAX_PERMITS;

  private static final long[] EMPTY = {};
  private static final int INITIAL_CAPACITY = 8;

  private final Rate rate;
  private final int limit;
  private final long windowNanos;
  private final NanoClock clock;

  public SlidingLog(Rate rate, NanoClock clock) {
    if (rate.count() > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "rate: "
              + rate
              + " (expected: a count of at most "
              + MAX_LIMIT
              + " for the exact sliding log)");
    }
    this.rate = rate;
    this.limit = rate.count();
    this.windowNanos = rate.periodNanos();
    this.clock = clock;
  }

  /** One key's timestamps; opaque outside this class. */
  public static final class Log {
    private long[] times = EMPTY;
    private int head;
    private int size;

    private Log() {}

    private long at(int offset) {
      int i = head + offset;
      return times[i < times.length ? i : i - times.length];
    }
  }

  @Override
  public Log newState() {
    return new Log();
  }

  @Override
  public long tryAcquire(Log log, int permits, long nowNanos) {
    Arith.checkPermits(permits, limit);
    long now = nowNanos;
    synchronized (log) {
      while (log.size > 0 && now - log.times[log.head] >= windowNanos) {
        log.head = log.head + 1 == log.times.length ? 0 : log.head + 1;
        log.size--;
      }
      int size = log.size;
      long newest = size == 0 ? now : log.at(size - 1);
      if (size + permits > limit) {
        long freesRoom = log.at(size + permits - limit - 1);
        return RateLimitDecision.refusedNanos(
            freesRoom + windowNanos - now, newest + windowNanos - now);
      }
      // A thread that read the clock before another appended keeps the ring in order.
      long stamp = now - newest < 0 ? newest : now;
      if (size + permits > log.times.length) {
        grow(log, size + permits);
      }
      long[] times = log.times;
      int tail = log.head + size;
      for (int i = 0; i < permits; i++, tail++) {
        times[tail < times.length ? tail : tail - times.length] = stamp;
      }
      log.size = size + permits;
      return RateLimitDecision.admittedNanos(limit - size - permits, stamp + windowNanos - now);
    }
  }

  private void grow(Log log, int needed) {
    int capacity =
        (int) Math.min(limit, Math.max(needed, Math.max(INITIAL_CAPACITY, 2L * log.times.length)));
    long[] grown = new long[capacity];
    long[] old = log.times;
    int firstRun = Math.min(log.size, old.length - log.head);
    System.arraycopy(old, log.head, grown, 0, firstRun);
    System.arraycopy(old, 0, grown, firstRun, log.size - firstRun);
    log.times = grown;
    log.head = 0;
  }

  @Override
  public int limit() {
    return limit;
  }

  public Rate rate() {
    return rate;
  }

  /** A window: by then every timestamp has expired. */
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
    return "SlidingLog(" + rate + ")";
  }

  // Lets tests see that the ring grows with use rather than being allocated at the limit.
  static int capacity(Log log) {
    synchronized (log) {
      return log.times.length;
    }
  }
}
