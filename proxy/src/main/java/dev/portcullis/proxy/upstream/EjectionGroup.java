package dev.portcullis.proxy.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ejections of one upstream pool: at most {@code max_ejection_percent} of its targets (rounded
 * down) are out at once. Shared by every event loop; one counter, changed only when a target is
 * ejected or put back.
 */
final class EjectionGroup {
  private final int maxEjected;
  private final AtomicInteger ejected = new AtomicInteger();
  private volatile Ejection[] members = new Ejection[0];

  EjectionGroup(int targets, int maxEjectionPercent) {
    this.maxEjected = targets * maxEjectionPercent / 100;
  }

  void register(Ejection[] targets) {
    this.members = targets;
  }

  /** Reserves a place for one more ejected target, after putting back those whose time is up. */
  boolean tryReserve(long now) {
    for (Ejection member : members) {
      member.ejected(now);
    }
    for (; ; ) {
      int current = ejected.get();
      if (current >= maxEjected) {
        return false;
      }
      if (ejected.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  void readmitted() {
    ejected.decrementAndGet();
  }
}
