package dev.portcullis.ratelimit.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import org.junit.jupiter.api.Test;

/**
 * Rough heap cost of a tracked key: heap in use after full collections, before and after filling a
 * store with 200,000 keys. The figure goes into bench/README.md; the assertions only catch a
 * regression by a large factor, as a heap delta is approximate.
 */
class FootprintTest {
  private static final int KEYS = 200_000;

  @Test
  void measuresBytesPerTrackedKey() {
    ManualClock clock = new ManualClock();
    long keyString = keyStringBytes();
    long bucket = storeBytesPerKey(new TokenBucket(100, Rate.parse("100/minute"), clock));
    long window = storeBytesPerKey(new SlidingWindow(Rate.parse("100/minute"), clock));
    long log = storeBytesPerKey(new SlidingLog(Rate.parse("100/minute"), clock));

    System.out.printf(
        "bytes per key: key string %d, token bucket %d, sliding window %d,"
            + " sliding log (one timestamp) %d%n",
        keyString, bucket, window, log);
    assertThat(bucket).isBetween(40L, 250L);
    assertThat(window).isBetween(40L, 250L);
    assertThat(log).isGreaterThan(window);
  }

  private static String[] keys() {
    String[] keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "203.0.113." + i;
    }
    return keys;
  }

  private static long keyStringBytes() {
    long before = usedHeap();
    String[] keys = keys();
    long after = usedHeap();
    Reference.reachabilityFence(keys);
    return (after - before) / KEYS;
  }

  /** The store's own cost: the key strings exist before the first measurement. */
  private static long storeBytesPerKey(RateLimitAlgorithm<?> algorithm) {
    String[] keys = keys();
    long before = usedHeap();
    LocalRateLimiter<?> limiter = LocalRateLimiter.create(algorithm, 2L * KEYS);
    for (String key : keys) {
      limiter.tryAcquire(key, 1);
    }
    limiter.cleanUp();
    long after = usedHeap();
    assertThat(limiter.estimatedKeys()).isEqualTo(KEYS);
    Reference.reachabilityFence(keys);
    return (after - before) / KEYS;
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
