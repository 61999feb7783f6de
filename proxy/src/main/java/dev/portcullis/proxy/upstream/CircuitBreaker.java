package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.CircuitBreakerConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The circuit breaker of one target, shared by every event loop.
 *
 * <p>Closed: calls pass and their outcomes go to a sliding {@link OutcomeWindow}; once it holds
 * {@code minimum_calls} and the failure share reaches the threshold, the circuit opens. Open: calls
 * are refused until {@code open_duration} has passed; the first call after that turns it half-open.
 * Half-open: {@code half_open_probes} calls get a permit; all of them succeeding closes the circuit
 * (with an empty window), any failing opens it again.
 *
 * <p>Layout: the whole state is one {@code long}, changed by one CAS, so a hot-path check in the
 * closed state is a single volatile read and no lock is ever taken. Bits 0-1 hold the state; open,
 * bits 2-63 hold the end of the open period (nanoseconds since {@code origin}); half-open, bits
 * 2-17 the permits left, 18-33 the successes so far and 34-63 a generation number.
 *
 * <p>A call holds a permit from {@link #tryAcquire} until exactly one of {@link #onSuccess}, {@link
 * #onFailure} or {@link #release}. A half-open permit carries its generation, so an outcome or a
 * release from an earlier half-open period (or a call let through while closed) never counts as a
 * probe of the current one. Times are passed in, so tests drive the clock.
 */
final class CircuitBreaker {
  static final long REFUSED = 0;
  static final long CLOSED_PERMIT = 1;

  private static final int CLOSED = 0;
  private static final int OPEN = 1;
  private static final int HALF_OPEN = 2;
  private static final long MASK16 = 0xFFFF;
  private static final long MASK30 = (1L << 30) - 1;
  private static final int SUCCESSES_SHIFT = 18;
  private static final int GENERATION_SHIFT = 34;

  private final AtomicLong word = new AtomicLong(CLOSED);
  private final AtomicInteger generations = new AtomicInteger();
  private final boolean enabled;
  private final OutcomeWindow window;
  private final int thresholdPercent;
  private final int minimumCalls;
  private final int probes;
  private final long openNanos;
  private final long origin;
  private final Consumer<BreakerState> transitions;

  CircuitBreaker(
      CircuitBreakerConfig config, long originNanos, Consumer<BreakerState> transitions) {
    this.enabled = config.enabled();
    this.window =
        config.window().timeBased()
            ? new TimeWindow(config.window().span().toNanos())
            : new CountWindow(config.window().calls());
    this.thresholdPercent = config.failureRateThreshold();
    this.minimumCalls = config.minimumCalls();
    this.probes = config.halfOpenProbes();
    this.openNanos = config.openDuration().toNanos();
    this.origin = originNanos;
    this.transitions = transitions;
  }

  /** A permit for one call, or {@link #REFUSED}. */
  long tryAcquire(long now) {
    if (!enabled) {
      return CLOSED_PERMIT;
    }
    for (; ; ) {
      long w = word.get();
      int state = (int) (w & 3);
      if (state == CLOSED) {
        return CLOSED_PERMIT;
      }
      if (state == OPEN) {
        if (since(now) < (w >>> 2)) {
          return REFUSED;
        }
        long generation = generations.incrementAndGet() & MASK30;
        if (word.compareAndSet(w, halfOpen(probes - 1, 0, generation))) {
          transitions.accept(BreakerState.HALF_OPEN);
          return ticket(generation);
        }
        continue;
      }
      if (((w >>> 2) & MASK16) == 0) {
        return REFUSED;
      }
      if (word.compareAndSet(w, w - (1L << 2))) {
        return ticket(w >>> GENERATION_SHIFT);
      }
    }
  }

  /** Whether a call would get a permit now (without taking one). */
  boolean available(long now) {
    long w = word.get();
    return switch ((int) (w & 3)) {
      case CLOSED -> true;
      case OPEN -> since(now) >= (w >>> 2);
      default -> ((w >>> 2) & MASK16) > 0;
    };
  }

  void onSuccess(long permit, long now) {
    if (!enabled || permit == REFUSED) {
      return;
    }
    for (; ; ) {
      long w = word.get();
      int state = (int) (w & 3);
      if (state == CLOSED) {
        if (permit == CLOSED_PERMIT) {
          window.record(false, now);
        }
        return;
      }
      if (!currentProbe(w, permit)) {
        return;
      }
      long successes = ((w >>> SUCCESSES_SHIFT) & MASK16) + 1;
      if (successes >= probes) {
        if (word.compareAndSet(w, CLOSED)) {
          window.reset();
          transitions.accept(BreakerState.CLOSED);
          return;
        }
      } else if (word.compareAndSet(
          w, (w & ~(MASK16 << SUCCESSES_SHIFT)) | (successes << SUCCESSES_SHIFT))) {
        return;
      }
    }
  }

  void onFailure(long permit, long now) {
    if (!enabled || permit == REFUSED) {
      return;
    }
    for (; ; ) {
      long w = word.get();
      int state = (int) (w & 3);
      if (state == CLOSED) {
        if (permit != CLOSED_PERMIT) {
          return;
        }
        window.record(true, now);
        long snapshot = window.snapshot(now);
        int calls = OutcomeWindow.calls(snapshot);
        long failures = OutcomeWindow.failures(snapshot);
        if (calls >= minimumCalls
            && failures * 100 >= (long) thresholdPercent * calls
            && word.compareAndSet(w, open(now))) {
          transitions.accept(BreakerState.OPEN);
        }
        return;
      }
      if (!currentProbe(w, permit)) {
        return;
      }
      if (word.compareAndSet(w, open(now))) {
        transitions.accept(BreakerState.OPEN);
        return;
      }
    }
  }

  /** The call ended without an outcome that says anything about the target (client went away). */
  void release(long permit) {
    if (!enabled || permit == REFUSED || permit == CLOSED_PERMIT) {
      return;
    }
    for (; ; ) {
      long w = word.get();
      if (!currentProbe(w, permit) || ((w >>> 2) & MASK16) >= probes) {
        return;
      }
      if (word.compareAndSet(w, w + (1L << 2))) {
        return;
      }
    }
  }

  BreakerState state() {
    return switch ((int) (word.get() & 3)) {
      case CLOSED -> BreakerState.CLOSED;
      case OPEN -> BreakerState.OPEN;
      default -> BreakerState.HALF_OPEN;
    };
  }

  /** How long an open circuit still refuses calls; 0 when it is not open. */
  long remainingOpenNanos(long now) {
    long w = word.get();
    return (w & 3) == OPEN ? Math.max(0, (w >>> 2) - since(now)) : 0;
  }

  private boolean currentProbe(long w, long permit) {
    return (w & 3) == HALF_OPEN
        && (permit & 3) == HALF_OPEN
        && (w >>> GENERATION_SHIFT) == (permit >>> 2);
  }

  private long since(long now) {
    return Math.max(0, now - origin);
  }

  private long open(long now) {
    return ((since(now) + openNanos) << 2) | OPEN;
  }

  private static long halfOpen(long permits, long successes, long generation) {
    return (generation << GENERATION_SHIFT)
        | (successes << SUCCESSES_SHIFT)
        | (permits << 2)
        | HALF_OPEN;
  }

  private static long ticket(long generation) {
    return (generation << 2) | HALF_OPEN;
  }
}
