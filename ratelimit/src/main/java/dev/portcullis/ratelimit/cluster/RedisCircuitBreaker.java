package dev.portcullis.ratelimit.cluster;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Keeps a Redis outage from adding the Redis timeout to every request: after {@code threshold}
 * consecutive failures the breaker opens and callers skip Redis for {@code openForNanos}; then one
 * caller at a time may try (half-open), and one success closes it again.
 *
 * <p>Lock-free: a failure counter and the time until which the breaker is open.
 */
final class RedisCircuitBreaker {
  private final int threshold;
  private final long openForNanos;
  private final LongSupplier nanoClock;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicLong openUntil = new AtomicLong(Long.MIN_VALUE);

  RedisCircuitBreaker(int threshold, long openForNanos, LongSupplier nanoClock) {
    this.threshold = threshold;
    this.openForNanos = openForNanos;
    this.nanoClock = nanoClock;
  }

  /** Whether this call may go to Redis. In half-open state only one caller per period gets true. */
  boolean allowCall() {
    long until = openUntil.get();
    if (until == Long.MIN_VALUE) {
      return true;
    }
    long now = nanoClock.getAsLong();
    // Half-open: the first caller past the deadline moves it on and makes the trial call.
    return now - until >= 0 && openUntil.compareAndSet(until, now + openForNanos);
  }

  boolean isOpen() {
    return openUntil.get() != Long.MIN_VALUE;
  }

  void onSuccess() {
    consecutiveFailures.set(0);
    openUntil.set(Long.MIN_VALUE);
  }

  /**
   * @return true when this failure opened the breaker
   */
  boolean onFailure() {
    if (consecutiveFailures.incrementAndGet() >= threshold) {
      long now = nanoClock.getAsLong();
      long until = openUntil.get();
      if (until == Long.MIN_VALUE) {
        return openUntil.compareAndSet(until, now + openForNanos);
      }
      openUntil.set(now + openForNanos);
    }
    return false;
  }
}
