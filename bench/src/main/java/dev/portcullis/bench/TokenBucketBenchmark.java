package dev.portcullis.bench;

import dev.portcullis.ratelimit.algorithm.LocalRateLimiter;
import dev.portcullis.ratelimit.algorithm.NanoClock;
import dev.portcullis.ratelimit.algorithm.Rate;
import dev.portcullis.ratelimit.algorithm.TokenBucket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one rate-limit decision: a token bucket on its own state uncontended, the same state
 * shared by two threads (the compare-and-set loop retrying), and the keyed store's lookup plus
 * decision. The bucket refills at one permit per nanosecond with a burst of 2^31, so nearly every
 * decision takes the admitted path, the one that writes.
 *
 * <p>Run with JMH on the bench module's classpath: {@code org.openjdk.jmh.Main
 * TokenBucketBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TokenBucketBenchmark {
  private static final int KEYS = 10_000;

  private TokenBucket bucket;
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
    int next;

    @Setup
    public void setUp(TokenBucketBenchmark benchmark) {
      key = benchmark.bucket.newState();
    }
  }

  @Benchmark
  public long uncontended(PerThread thread) {
    return bucket.tryAcquire(thread.key, 1);
  }

  @Benchmark
  @Group("contended")
  @GroupThreads(2)
  public long contended() {
    return bucket.tryAcquire(sharedKey, 1);
  }

  @Benchmark
  public long keyedLookupAndAcquire(PerThread thread) {
    int i = thread.next;
    thread.next = i + 1 == KEYS ? 0 : i + 1;
    return store.tryAcquire(keys[i], 1);
  }
}
