package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.RetryConfig;
import io.netty.handler.codec.http.HttpMethod;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Which failed calls of one upstream are retried, how long to wait first, and the retry budget, for
 * one event loop. Loop-confined: plain fields, no atomics.
 *
 * <p>Budget: retries of the last {@value #BUCKETS} seconds may be at most {@code budget_percent} of
 * the requests of those seconds, plus a floor of {@code min_retries_per_second} (this loop's share
 * of it), kept in one-second buckets. A retry storm against a failing pool therefore adds a bounded
 * share of load instead of multiplying it.
 *
 * <p>Only requests without a body are retried: the gateway streams bodies and keeps none of them to
 * replay.
 */
public final class RetryPolicy {
  static final int BUCKETS = 10;
  private static final long BUCKET_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final RetryConfig config;
  private final double share;
  private final double floor;
  private final long backoffBaseNanos;
  private final long backoffMaxNanos;
  private final long[] ticks = new long[BUCKETS];
  private final long[] requests = new long[BUCKETS];
  private final long[] retries = new long[BUCKETS];

  RetryPolicy(RetryConfig config, int loops) {
    this.config = config;
    this.share = config.budgetPercent() / 100.0;
    this.floor = (double) config.minRetriesPerSecond() * BUCKETS / Math.max(1, loops);
    this.backoffBaseNanos = config.backoffBase().toNanos();
    this.backoffMaxNanos = config.backoffMax().toNanos();
  }

  /** Whether a request of this method, with or without a body, may ever be retried. */
  public boolean eligible(HttpMethod method, boolean hasBody) {
    return config.enabled() && !hasBody && idempotent(method);
  }

  static boolean idempotent(HttpMethod method) {
    return method == HttpMethod.GET
        || method == HttpMethod.HEAD
        || method == HttpMethod.OPTIONS
        || method == HttpMethod.PUT
        || method == HttpMethod.DELETE;
  }

  public boolean retriesOn(RetryConfig.Condition condition) {
    return condition != null && config.retryOn().contains(condition);
  }

  public int maxAttempts() {
    return config.maxAttempts();
  }

  /** A request went to this upstream (first attempts only): it earns budget. */
  public void requested(long now) {
    requests[bucket(now)]++;
  }

  /** Spends budget on one retry; false when the budget is used up. */
  public boolean tryRetry(long now) {
    int current = bucket(now);
    long tick = ticks[current];
    long recentRequests = 0;
    long recentRetries = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (tick - ticks[i] < BUCKETS) {
        recentRequests += requests[i];
        recentRetries += retries[i];
      }
    }
    if (recentRetries + 1 > floor + share * recentRequests) {
      return false;
    }
    retries[current]++;
    return true;
  }

  /** "Full jitter": uniform in [0, min(max, base * 2^(retry-1))]. */
  public long backoffNanos(int retry) {
    long bound = backoffBaseNanos << Math.min(retry - 1, 30);
    if (bound <= 0 || bound > backoffMaxNanos) {
      bound = backoffMaxNanos;
    }
    return ThreadLocalRandom.current().nextLong(bound + 1);
  }

  private int bucket(long now) {
    long tick = Math.floorDiv(now, BUCKET_NANOS);
    int i = (int) Math.floorMod(tick, BUCKETS);
    if (ticks[i] != tick) {
      ticks[i] = tick;
      requests[i] = 0;
      retries[i] = 0;
    }
    return i;
  }
}
