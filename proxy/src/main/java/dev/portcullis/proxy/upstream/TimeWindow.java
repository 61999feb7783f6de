package dev.portcullis.proxy.upstream;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The outcomes of the last span of time, in ten buckets of a tenth of the span each. A bucket is
 * one long, {@code tick:24 | calls:20 | failures:20}, updated with one CAS: a writer finding an old
 * tick starts the bucket afresh, so no sweeper thread is needed. A bucket saturates at about a
 * million calls (the rate stays meaningful); the 24-bit tick would only alias after 16 million
 * bucket lengths without a single call landing in that bucket.
 */
final class TimeWindow implements OutcomeWindow {
  private static final int BUCKETS = 10;
  private static final long MASK20 = (1L << 20) - 1;
  private static final long MASK24 = (1L << 24) - 1;

  private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
  private final long bucketNanos;

  TimeWindow(long spanNanos) {
    this.bucketNanos = Math.max(1, spanNanos / BUCKETS);
  }

  @Override
  public void record(boolean failure, long nowNanos) {
    long tick = Math.floorDiv(nowNanos, bucketNanos);
    int i = (int) Math.floorMod(tick, BUCKETS);
    long t = tick & MASK24;
    long fail = failure ? 1 : 0;
    for (; ; ) {
      long current = buckets.get(i);
      long next;
      if ((current >>> 40) != t) {
        next = (t << 40) | (1L << 20) | fail;
      } else {
        long calls = (current >>> 20) & MASK20;
        if (calls == MASK20) {
          return;
        }
        next = (t << 40) | ((calls + 1) << 20) | ((current & MASK20) + fail);
      }
      if (buckets.compareAndSet(i, current, next)) {
        return;
      }
    }
  }

  @Override
  public long snapshot(long nowNanos) {
    long t = Math.floorDiv(nowNanos, bucketNanos) & MASK24;
    int calls = 0;
    int failures = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long bucket = buckets.get(i);
      if (((t - (bucket >>> 40)) & MASK24) < BUCKETS) {
        calls += (int) ((bucket >>> 20) & MASK20);
        failures += (int) (bucket & MASK20);
      }
    }
    return OutcomeWindow.pack(calls, failures);
  }

  @Override
  public void reset() {
    for (int i = 0; i < BUCKETS; i++) {
      buckets.set(i, 0);
    }
  }
}
