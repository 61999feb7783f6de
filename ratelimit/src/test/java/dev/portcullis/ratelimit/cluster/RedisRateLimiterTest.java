package dev.portcullis.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.RateLimitsConfig.Algorithm;
import dev.portcullis.core.config.Secret;
import dev.portcullis.core.testing.PrivateRedis;
import dev.portcullis.ratelimit.algorithm.RateLimitDecision;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Lua limiters against a real redis-server. */
class RedisRateLimiterTest {
  private static PrivateRedis redis;
  private static RedisRateLimiter limiter;

  @BeforeAll
  static void start() throws Exception {
    redis = new PrivateRedis();
    limiter = RedisRateLimiter.connect(config(redis.uri()));
  }

  @AfterAll
  static void stop() throws Exception {
    limiter.close();
    redis.close();
  }

  private static RateLimitsConfig.Redis config(String uri) {
    return new RateLimitsConfig.Redis(
        Secret.of(uri),
        Duration.ofMillis(500),
        RateLimitsConfig.FailMode.FAIL_OPEN,
        2,
        Duration.ofMillis(300));
  }

  private static long acquire(
      RedisRateLimiter on, Algorithm algorithm, String key, long period, long capacity) {
    return on.acquire(algorithm, "test", key, period, capacity, 1).toCompletableFuture().join();
  }

  private static String freshKey() {
    return UUID.randomUUID().toString();
  }

  @Test
  void tokenBucketAdmitsItsCapacityThenRefusesWithARetryAfter() {
    String key = freshKey();
    long hour = TimeUnit.HOURS.toNanos(1);
    for (int i = 0; i < 5; i++) {
      long decision = acquire(limiter, Algorithm.TOKEN_BUCKET, key, hour, 5);
      assertThat(RateLimitDecision.isAdmitted(decision)).isTrue();
      assertThat(RateLimitDecision.remaining(decision)).isEqualTo(4 - i);
    }
    long refused = acquire(limiter, Algorithm.TOKEN_BUCKET, key, hour, 5);
    assertThat(RateLimitDecision.isAdmitted(refused)).isFalse();
    // one token per hour: the next one comes in (almost exactly) an hour
    assertThat(RateLimitDecision.retryAfterSeconds(refused)).isBetween(3590L, 3600L);
  }

  @Test
  void windowAlgorithmsStopAtTheLimit() {
    for (Algorithm algorithm :
        new Algorithm[] {Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW, Algorithm.SLIDING_LOG}) {
      String key = freshKey();
      long window = TimeUnit.HOURS.toNanos(1);
      int admitted = 0;
      for (int i = 0; i < 12; i++) {
        if (RateLimitDecision.isAdmitted(acquire(limiter, algorithm, key, window, 10))) {
          admitted++;
        }
      }
      assertThat(admitted).as(algorithm.name()).isEqualTo(10);
      long refused = acquire(limiter, algorithm, key, window, 10);
      assertThat(RateLimitDecision.retryAfterMillis(refused)).as(algorithm.name()).isPositive();
    }
  }

  @Test
  void keysCarryAHashTagAndATtl() {
    String key = freshKey();
    acquire(limiter, Algorithm.TOKEN_BUCKET, key, TimeUnit.SECONDS.toNanos(10), 3);
    RedisClient client = RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      String redisKey = RedisRateLimiter.redisKey("test", key);
      assertThat(redisKey).isEqualTo("portcullis:rl:{test:" + key + "}");
      assertThat(connection.sync().pttl(redisKey)).isPositive();
    } finally {
      client.shutdown();
    }
  }

  @Test
  void scriptsAreLoadedAgainAfterTheServerForgetsThem() {
    String key = freshKey();
    assertThat(
            RateLimitDecision.isAdmitted(
                acquire(limiter, Algorithm.FIXED_WINDOW, key, TimeUnit.MINUTES.toNanos(1), 5)))
        .isTrue();
    RedisClient client = RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      connection.sync().scriptFlush();
    } finally {
      client.shutdown();
    }
    long decision = acquire(limiter, Algorithm.FIXED_WINDOW, key, TimeUnit.MINUTES.toNanos(1), 5);
    assertThat(RateLimitDecision.remaining(decision)).isEqualTo(3);
  }

  @Test
  void anOutageFailsFastOnceTheBreakerOpensAndLimitsComeBackWithRedis() throws Exception {
    try (PrivateRedis own = new PrivateRedis();
        RedisRateLimiter local = RedisRateLimiter.connect(config(own.uri()))) {
      String key = freshKey();
      long minute = TimeUnit.MINUTES.toNanos(1);
      assertThat(
              RateLimitDecision.isAdmitted(
                  acquire(local, Algorithm.FIXED_WINDOW, key, minute, 100)))
          .isTrue();
      own.stop();
      for (int i = 0; i < 2; i++) {
        assertThat(
                local
                    .acquire(Algorithm.FIXED_WINDOW, "test", key, minute, 100, 1)
                    .toCompletableFuture())
            .failsWithin(Duration.ofSeconds(5))
            .withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .withCauseInstanceOf(RedisUnavailableException.class);
      }
      assertThat(local.breakerOpen()).isTrue();
      own.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      Long decision = null;
      while (decision == null && System.nanoTime() < deadline) {
        try {
          decision = acquire(local, Algorithm.FIXED_WINDOW, key, minute, 100);
        } catch (CompletionException stillDown) {
          Thread.sleep(50);
        }
      }
      assertThat(decision).as("limits are enforced through Redis again").isNotNull();
      assertThat(local.breakerOpen()).isFalse();
      // A restarted Redis without persistence lost the old count: the window starts again.
      assertThat(RateLimitDecision.remaining(decision)).isEqualTo(99);
    }
  }

  @Test
  void aRedisDownAtStartIsConnectedLaterWithoutStoppingTheCaller() throws Exception {
    try (PrivateRedis own = new PrivateRedis()) {
      own.stop();
      try (RedisRateLimiter late = RedisRateLimiter.connect(config(own.uri()))) {
        assertThat(
                late.acquire(
                        Algorithm.FIXED_WINDOW, "test", "k", TimeUnit.MINUTES.toNanos(1), 10, 1)
                    .toCompletableFuture())
            .failsWithin(Duration.ofSeconds(5))
            .withThrowableOfType(java.util.concurrent.ExecutionException.class)
            .withCauseInstanceOf(RedisUnavailableException.class);
        own.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Long decision = null;
        while (decision == null && System.nanoTime() < deadline) {
          try {
            decision = acquire(late, Algorithm.FIXED_WINDOW, "k", TimeUnit.MINUTES.toNanos(1), 10);
          } catch (CompletionException notYet) {
            Thread.sleep(50);
          }
        }
        assertThat(decision).isNotNull();
        assertThat(RateLimitDecision.remaining(decision)).isEqualTo(9);
      }
    }
  }
}
