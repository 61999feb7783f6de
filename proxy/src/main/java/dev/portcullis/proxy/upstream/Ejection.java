package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.OutlierDetectionConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passive outlier ejection of one target, shared by every event loop: {@code consecutive_failures}
 * failed calls in a row take the target out of balancing for {@code base_ejection_time} times the
 * number of its ejections, at most {@code max_ejection_time}. The count starts again once the
 * target has stayed in for {@code max_ejection_time} after its last ejection.
 *
 * <p>Re-admission is lazy: the first look at the target after its ejection ended puts it back (one
 * CAS decides who), so no timer is needed. A success only writes when the failure streak is not
 * already zero, keeping the shared cache line quiet on a healthy target.
 */
final class Ejection {
  private static final long NOT_EJECTED = Long.MIN_VALUE;

  private final boolean enabled;
  private final int threshold;
  private final long baseNanos;
  private final long maxNanos;
  private final EjectionGroup group;
  private final Runnable onEjected;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicLong ejectedUntil = new AtomicLong(NOT_EJECTED);
  private final AtomicInteger ejections = new AtomicInteger();
  private volatile long readmittedAt;

  Ejection(OutlierDetectionConfig config, EjectionGroup group, Runnable onEjected) {
    this.enabled = config.enabled();
    this.threshold = config.consecutiveFailures();
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.maxNanos = config.maxEjectionTime().toNanos();
    this.group = group;
    this.onEjected = onEjected;
  }

  /** Whether the target is out now; puts it back when its ejection has ended. */
  boolean ejected(long now) {
    long until = ejectedUntil.get();
    if (until == NOT_EJECTED) {
      return false;
    }
    if (now - until < 0) {
      return true;
    }
    if (ejectedUntil.compareAndSet(until, NOT_EJECTED)) {
      readmittedAt = now;
      consecutiveFailures.set(0);
      group.readmitted();
    }
    return false;
  }

  /** How much longer the target stays out; 0 when it is in. */
  long remainingNanos(long now) {
    long until = ejectedUntil.get();
    return until == NOT_EJECTED ? 0 : Math.max(0, until - now);
  }

  void succeeded() {
    if (consecutiveFailures.get() != 0) {
      consecutiveFailures.set(0);
    }
  }

  void failed(long now) {
    if (!enabled || consecutiveFailures.incrementAndGet() < threshold || ejected(now)) {
      return;
    }
    if (!group.tryReserve(now)) {
      return; // the pool's ejection share is used up: the target stays in
    }
    if (ejections.get() > 0 && now - readmittedAt >= maxNanos) {
      ejections.set(0);
    }
    long nanos = Math.min(maxNanos, baseNanos * Math.min(ejections.incrementAndGet(), 1 << 20));
    if (ejectedUntil.compareAndSet(NOT_EJECTED, now + nanos)) {
      consecutiveFailures.set(0);
      onEjected.run();
    } else {
      group.readmitted(); // another loop ejected it first: give the reservation back
    }
  }
}
