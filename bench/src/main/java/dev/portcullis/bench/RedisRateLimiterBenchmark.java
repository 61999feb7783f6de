package dev.portcullis.bench;

import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.Secret;
import dev.portcullis.ratelimit.cluster.RedisRateLimiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cluster limiter against a real Redis ({@code PORTCULLIS_BENCH_REDIS}, default
 * redis://127.0.0.1:6379): one operation is a batch of {@code inFlight} token-bucket acquisitions
 * sent at once and awaited together, which is how Lettuce pipelines them on one connection. In
 * sample mode JMH reports the batch latency percentiles; acquisitions per second are the batch rate
 * times {@code inFlight}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RedisRateLimiterBenchmark {
  @Param({"1", "16", "64"})
  int inFlight;

  @Param({"1", "10000"})
  int keys;

  private RedisRateLimiter limiter;
  private String[] keyNames;

  @Setup(Level.Trial)
  public void connect() {
    String uri = System.getenv().getOrDefault("PORTCULLIS_BENCH_REDIS", "redis://127.0.0.1:6379");
    limiter =
        RedisRateLimiter.connect(
            new RateLimitsConfig.Redis(
                Secret.of(uri),
                Duration.ofSeconds(1),
                RateLimitsConfig.FailMode.FAIL_CLOSED,
                1000,
                Duration.ofSeconds(1)));
    keyNames = new String[keys];
    for (int i = 0; i < keys; i++) {
      keyNames[i] = "bench-" + i;
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    limiter.close();
  }

  @Benchmark
  public Object acquireBatch() {
    CompletableFuture<?>[] calls = new CompletableFuture<?>[inFlight];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < inFlight; i++) {
      calls[i] =
          limiter
              .acquire(
                  RateLimitsConfig.Algorithm.TOKEN_BUCKET,
                  "bench",
                  keyNames[random.nextInt(keys)],
                  1_000, // a token per microsecond: the bench measures Redis, not refusals
                  1_000_000,
                  1)
              .toCompletableFuture();
    }
    return CompletableFuture.allOf(calls).join();
  }
}
