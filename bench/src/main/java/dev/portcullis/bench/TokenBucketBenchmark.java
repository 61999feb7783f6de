package dev.portcullis.bench;

import dev.portcullis.ratelimit.algorithm.LocalRateLimiter;
import dev.portcullis.ratelimit.algorithm.NanoClock;
import dev.portcullis.ratelimit.algorithm.Rate;
import dev.portcullis.ratelimit.algorithm.TokenBucket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Token-bucket acquisitions per second, each at the request's arrival time as the gateway decides
 * them (the engine reads the clock once per request for its metrics; limiters reuse it): on one key
 * shared by every benchmark thread (the compare-and-set loop contending), on a key of each thread's
 * own, and through the keyed store over 10,000 keys (lookup plus decision). Run it with {@code -t
 * 1}, {@code -t 2} and {@code -t 8} (see bench/README.md). The bucket refills at one permit per
 * nanosecond with a burst of 2^31, so nearly every decision takes the admitted path, the one that
 * writes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TokenBucketBenchmark {
  private static final int KEYS = 10_000;

  private TokenBucket bucket;
  private TokenBucket presetBucket;

  /** Advanced by each call so the bucket keeps refilling, as a real clock would. */
  private long presetNanos;

  private AtomicLong sharedKey;
  private LocalRateLimiter<AtomicLong> store;
  private String[] keys;

  @Setup
  public void setUp() {
    bucket = new TokenBucket(Integer.MAX_VALUE, Rate.parse("1000000/1ms"), NanoClock.SYSTEM);
    sharedKey = bucket.newState();
    store = LocalRateLimiter.create(bucket, 2 * KEYS);
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "203.0.113." + i;
      store.tryAcquire(keys[i], 1);
    }
  }

  /** Each thread's own key and its position in the key list. */
  @State(Scope.Thread)
  public static class PerThread {
    AtomicLong key;

    /** A request's arrival time, advanced by each call as a real clock would. */
    long requestNanos;

    int next;

    @Setup
    public void setUp(TokenBucketBenchmark benchmark) {
      key = benchmark.bucket.newState();
      requestNanos = System.nanoTime();
      next = ThreadLocalRandom.current().nextInt(KEYS);
    }
  }

  /**
   * The decision as the gateway makes it: at the timestamp the engine read when the request arrived
   * (it needs it for its metrics anyway), so the limiter reads no clock of its own.
   */
  @Benchmark
  public long ownKey(PerThread thread) {
    thread.requestNanos += 50;
    return bucket.tryAcquire(thread.key, 1, thread.requestNanos);
  }

  /** The floor: each decision reads the clock once, and on a VM that read dominates. */
  @Benchmark
  public long clockReadOnly() {
    return System.nanoTime();
  }

  @Benchmark
  public long oneSharedKey(PerThread thread) {
    thread.requestNanos += 50;
    return bucket.tryAcquire(sharedKey, 1, thread.requestNanos);
  }

  /** For comparison: the limiter reading the clock itself on every decision. */
  @Benchmark
  public long ownKeyReadingTheClock(PerThread thread) {
    return bucket.tryAcquire(thread.key, 1);
  }

  @Benchmark
  public long manyKeysThroughTheStore(PerThread thread) {
    int i = thread.next;
    thread.next = i + 1 == KEYS ? 0 : i + 1;
    thread.requestNanos += 50;
    return store.tryAcquire(keys[i], 1, thread.requestNanos);
  }
}
