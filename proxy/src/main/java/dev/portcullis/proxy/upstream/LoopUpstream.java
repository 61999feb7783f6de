package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.UpstreamConfig;
import java.util.concurrent.TimeUnit;

/**
 * One upstream's targets as one event loop sees them, the balancer that picks among them and the
 * loop's retry policy. Loop-confined: the round-robin cursor, the in-flight counts and the permit
 * hand-over need no atomics.
 *
 * <p>Balancing skips targets whose circuit is open, that are ejected or that fail their health
 * checks ({@link TargetHealth}); when none is left, {@link #choose} answers null at once and the
 * caller answers 503, so a request never queues for a target known to be down.
 */
public final class LoopUpstream {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final UpstreamConfig config;
  private final TargetPool[] targets;
  private final RetryPolicy retries;
  private int nextIndex;
  private long permit;

  LoopUpstream(UpstreamConfig config, TargetPool[] targets, RetryPolicy retries) {
    this.config = config;
    this.targets = targets;
    this.retries = retries;
  }

  public UpstreamConfig config() {
    return config;
  }

  public RetryPolicy retries() {
    return retries;
  }

  /**
   * The target for the next call, other than {@code avoid} (the one a retry moves away from), with
   * a permit of its {@link TargetHealth} that the caller takes with {@link #takePermit} right away;
   * null when no target may be called now.
   */
  public TargetPool choose(TargetPool avoid, long now) {
    if (config.loadBalancing() == LoadBalancing.LEAST_REQUEST && targets.length > 1) {
      TargetPool best = leastRequest(avoid, now);
      if (best != null) {
        long p = best.health().tryAcquire(now);
        if (p != CircuitBreaker.REFUSED) {
          permit = p;
          return best;
        }
      }
      // Another loop took the last half-open permit meanwhile: fall back to any target.
    }
    int n = targets.length;
    for (int i = 0; i < n; i++) {
      TargetPool candidate = targets[nextIndex];
      nextIndex = nextIndex + 1 == n ? 0 : nextIndex + 1;
      if (candidate == avoid) {
        continue;
      }
      long p = candidate.health().tryAcquire(now);
      if (p != CircuitBreaker.REFUSED) {
        permit = p;
        return candidate;
      }
    }
    return null;
  }

  /** The permit of the target {@link #choose} just returned. */
  public long takePermit() {
    long p = permit;
    permit = CircuitBreaker.REFUSED;
    return p;
  }

  /** Fewest in flight among the targets that may be called; ties go round-robin. */
  private TargetPool leastRequest(TargetPool avoid, long now) {
    int n = targets.length;
    int start = nextIndex;
    nextIndex = nextIndex + 1 == n ? 0 : nextIndex + 1;
    TargetPool best = null;
    for (int i = 0; i < n; i++) {
      TargetPool candidate = targets[(start + i) % n];
      if (candidate == avoid || !candidate.health().available(now)) {
        continue;
      }
      if (best == null || candidate.inFlight() < best.inFlight()) {
        best = candidate;
      }
    }
    return best;
  }

  /** Seconds until some target should take calls again, for {@code Retry-After}; at least 1. */
  public long retryAfterSeconds(long now) {
    long soonest = Long.MAX_VALUE;
    for (TargetPool target : targets) {
      soonest = Math.min(soonest, target.health().unavailableNanos(now));
    }
    return Math.max(1, (soonest + SECOND - 1) / SECOND);
  }

  TargetPool[] targets() {
    return targets;
  }
}
