package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.proxy.observe.TargetObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one target may take calls, shared by every event loop: its circuit breaker, its passive
 * outlier ejection and the verdict of its active health checks. Balancing skips a target any of the
 * three rules out.
 *
 * <p>An exchange holds a permit from {@link LoopUpstream#choose} and ends it with exactly one of
 * {@link #succeeded}, {@link #failed} or {@link #released}. A failure is what says something about
 * the target: a 5xx response, a connect failure, a reset before the response or a response timeout.
 * Nothing here blocks or allocates; times are passed in.
 */
public final class TargetHealth {
  private static final Logger log = LoggerFactory.getLogger(TargetHealth.class);

  private final CircuitBreaker breaker;
  private final Ejection ejection;
  private final long healthCheckIntervalNanos;
  private volatile boolean healthy = true;

  TargetHealth(
      Target target,
      UpstreamConfig config,
      EjectionGroup group,
      TargetObserver observer,
      long originNanos) {
    this.breaker =
        new CircuitBreaker(
            config.circuitBreaker(),
            originNanos,
            state -> {
              if (state == BreakerState.OPEN) {
                log.warn("upstream {} target {}: circuit open", target.upstream(), target);
              } else {
                log.info(
                    "upstream {} target {}: circuit {}", target.upstream(), target, state.label());
              }
              observer.breakerTransitioned(state);
            });
    this.ejection =
        new Ejection(
            config.outlierDetection(),
            group,
            () -> {
              log.warn(
                  "upstream {} target {}: ejected after consecutive failures",
                  target.upstream(),
                  target);
              observer.ejected();
            });
    this.healthCheckIntervalNanos = config.healthCheck().interval().toNanos();
  }

  Ejection ejection() {
    return ejection;
  }

  /** A permit for one call, or 0 when the target must not be called now. */
  long tryAcquire(long now) {
    if (!healthy || ejection.ejected(now)) {
      return CircuitBreaker.REFUSED;
    }
    return breaker.tryAcquire(now);
  }

  /** Whether {@link #tryAcquire} would give a permit now, without taking it. */
  boolean available(long now) {
    return healthy && !ejection.ejected(now) && breaker.available(now);
  }

  /** The call answered with a status below 500. */
  public void succeeded(long permit, long now) {
    ejection.succeeded();
    breaker.onSuccess(permit, now);
  }

  /** The call failed in a way that counts against the target. */
  public void failed(long permit, long now) {
    ejection.failed(now);
    breaker.onFailure(permit, now);
  }

  /** The call ended without saying anything about the target. */
  public void released(long permit) {
    breaker.release(permit);
  }

  /** About how long until the target takes calls again; 0 when it does now. */
  long unavailableNanos(long now) {
    long wait = Math.max(breaker.remainingOpenNanos(now), ejection.remainingNanos(now));
    return healthy ? wait : Math.max(wait, healthCheckIntervalNanos);
  }

  void markHealthy(boolean isHealthy) {
    healthy = isHealthy;
  }

  /** The verdict of the active health checks (always true when they are off). */
  public boolean healthy() {
    return healthy;
  }

  public BreakerState breakerState() {
    return breaker.state();
  }

  /** How much longer the target is ejected; 0 when it is not. */
  public long ejectedForNanos(long now) {
    return ejection.remainingNanos(now);
  }
}
