package dev.portcullis.ratelimit.algorithm;

import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.portcullis.core.pipeline.EventLoopCaches;
import java.time.Duration;

/**
 * A {@link RateLimiter} for one gateway instance: each key's state lives in a Caffeine cache
 * bounded in size, and a key idle for the algorithm's {@link RateLimitAlgorithm#idleResetNanos()}
 * is dropped. Dropping it then changes nothing, since by that time its state would be full again.
 *
 * <p>Caffeine's clock is the algorithm's, so a test's fake clock drives expiry too, and its
 * maintenance runs on the calling thread ({@link EventLoopCaches}), so evictions are seen at once.
 * When the size bound evicts a key still in use, that key starts again with its full limit: size
 * the store for the number of keys active within one idle period. Caffeine's admission policy keeps
 * frequently seen keys in preference to a flood of one-off ones, so key churn cannot easily reset a
 * busy key.
 *
 * <p>Threading: any thread. Looking up a known key and deciding allocate nothing. A request that
 * races with the expiry of its own key may be decided on the state being dropped; as that state was
 * full, the key can at most see its limit once more in that instant.
 */
public final class LocalRateLimiter<S> implements RateLimiter {
  private final RateLimitAlgorithm<S> algorithm;
  private final LoadingCache<String, S> states;

  private LocalRateLimiter(RateLimitAlgorithm<S> algorithm, long maximumKeys) {
    if (maximumKeys <= 0) {
      throw new IllegalArgumentException("maximumKeys: " + maximumKeys + " (expected: > 0)");
    }
    this.algorithm = algorithm;
    NanoClock clock = algorithm.clock();
    this.states =
        EventLoopCaches.newBuilder()
            .maximumSize(maximumKeys)
            .expireAfterAccess(Duration.ofNanos(algorithm.idleResetNanos()))
            .ticker(clock::nanoTime)
            .build(key -> algorithm.newState());
  }

  /**
   * @param maximumKeys how many keys are tracked at most; beyond it the least valuable are evicted
   */
  public static <S> LocalRateLimiter<S> create(RateLimitAlgorithm<S> algorithm, long maximumKeys) {
    return new LocalRateLimiter<>(algorithm, maximumKeys);
  }

  @Override
  public long tryAcquire(String key, int permits) {
    return algorithm.tryAcquire(states.get(key), permits);
  }

  @Override
  public long tryAcquire(String key, int permits, long nowNanos) {
    return algorithm.tryAcquire(states.get(key), permits, nowNanos);
  }

  @Override
  public int limit() {
    return algorithm.limit();
  }

  public RateLimitAlgorithm<S> algorithm() {
    return algorithm;
  }

  /** Approximately how many keys are tracked, for metrics. */
  public long estimatedKeys() {
    return states.estimatedSize();
  }

  /** Runs pending evictions and expiries now instead of during later requests. */
  public void cleanUp() {
    states.cleanUp();
  }
}
