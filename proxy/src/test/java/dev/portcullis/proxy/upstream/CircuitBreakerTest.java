package dev.portcullis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.CircuitBreakerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The breaker's state machine, driven by a fake clock (times are nanoseconds passed in). */
class CircuitBreakerTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);

  private final List<BreakerState> transitions = new CopyOnWriteArrayList<>();

  private CircuitBreaker breaker(CircuitBreakerConfig.Window window, int minimumCalls, int probes) {
    return new CircuitBreaker(
        new CircuitBreakerConfig(true, 50, minimumCalls, window, Duration.ofSeconds(10), probes),
        0,
        transitions::add);
  }

  private static void fail(CircuitBreaker b, long now) {
    long permit = b.tryAcquire(now);
    assertThat(permit).isNotEqualTo(CircuitBreaker.REFUSED);
    b.onFailure(permit, now);
  }

  private static void succeed(CircuitBreaker b, long now) {
    long permit = b.tryAcquire(now);
    assertThat(permit).isNotEqualTo(CircuitBreaker.REFUSED);
    b.onSuccess(permit, now);
  }

  @Test
  void opensOnlyOnceTheWindowHoldsTheMinimumCallsAndTheRateReachesTheThreshold() {
    CircuitBreaker b = breaker(CircuitBreakerConfig.Window.ofCalls(10), 5, 1);
    fail(b, 0);
    fail(b, 0);
    fail(b, 0);
    succeed(b, 0);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED); // 4 calls: below the minimum
    succeed(b, 0);
    succeed(b, 0);
    fail(b, 0); // 7 calls, 4 failures: 57%
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThat(transitions).containsExactly(BreakerState.OPEN);
  }

  @Test
  void aLowFailureRateKeepsItClosed() {
    CircuitBreaker b = breaker(CircuitBreakerConfig.Window.ofCalls(10), 5, 1);
    for (int i = 0; i < 100; i++) {
      if (i % 3 == 0) {
        fail(b, 0);
      } else {
        succeed(b, 0);
      }
    }
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void anOpenCircuitRefusesUntilTheCoolDownThenLetsABoundedNumberOfProbesThrough() {
    CircuitBreaker b = breaker(CircuitBreakerConfig.Window.ofCalls(4), 4, 2);
    for (int i = 0; i < 4; i++) {
      fail(b, S);
    }
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThat(b.tryAcquire(5 * S)).isEqualTo(CircuitBreaker.REFUSED);
    assertThat(b.available(5 * S)).isFalse();
    assertThat(b.remainingOpenNanos(5 * S)).isEqualTo(6 * S);

    long first = b.tryAcquire(11 * S);
    long second = b.tryAcquire(11 * S);
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    assertThat(first).isNotEqualTo(CircuitBreaker.REFUSED);
    assertThat(second).isNotEqualTo(CircuitBreaker.REFUSED);
    assertThat(b.tryAcquire(11 * S)).isEqualTo(CircuitBreaker.REFUSED);
    assertThat(b.available(11 * S)).isFalse();

    b.onSuccess(first, 12 * S);
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    b.onSuccess(second, 12 * S);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(transitions)
        .containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED);
    // Closed again with an empty window: one failure is not a failure rate.
    fail(b, 13 * S);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void aFailedProbeOpensTheCircuitForAnotherCoolDown() {
    CircuitBreaker b = breaker(CircuitBreakerConfig.Window.ofCalls(2), 2, 3);
    fail(b, 0);
    fail(b, 0);
    long probe = b.tryAcquire(10 * S);
    b.onFailure(probe, 10 * S);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThat(b.tryAcquire(19 * S)).isEqualTo(CircuitBreaker.REFUSED);
    assertThat(b.tryAcquire(20 * S)).isNotEqualTo(CircuitBreaker.REFUSED);
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
  }

  @Test
  void outcomesOfCallsFromBeforeTheProbesDoNotCountAsProbes() {
    CircuitBreaker b = breaker(CircuitBreakerConfig.Window.ofCalls(2), 2, 1);
    long lateClosedCall = b.tryAcquire(0);
    fail(b, 0);
    fail(b, 0);
    long probe = b.tryAcquire(10 * S);
    b.onFailure(lateClosedCall, 10 * S); // a call let through while closed, failing late
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    b.onSuccess(probe, 10 * S);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void anAbandonedProbeGivesItsPermitBackButOnlyToItsOwnHalfOpenPeriod() {
    CircuitBreaker b = breaker(CircuitBreakerConfig.Window.ofCalls(2), 2, 1);
    fail(b, 0);
    fail(b, 0);
    long abandoned = b.tryAcquire(10 * S);
    assertThat(b.tryAcquire(10 * S)).isEqualTo(CircuitBreaker.REFUSED);
    b.release(abandoned);
    long probe = b.tryAcquire(10 * S);
    assertThat(probe).isNotEqualTo(CircuitBreaker.REFUSED);
    b.onFailure(probe, 10 * S); // open again until 20 s
    long next = b.tryAcquire(20 * S); // a new half-open period
    b.release(abandoned); // stale: must not add a permit to this period
    assertThat(b.tryAcquire(20 * S)).isEqualTo(CircuitBreaker.REFUSED);
    b.onSuccess(next, 20 * S);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void aTimeWindowForgetsFailuresOlderThanItsSpan() {
    CircuitBreaker b = breaker(CircuitBreakerConfig.Window.ofSpan(Duration.ofSeconds(10)), 4, 1);
    fail(b, 0);
    fail(b, S);
    fail(b, 2 * S);
    // 12 s later the first three are out of the window: three more failures are not enough.
    fail(b, 14 * S);
    fail(b, 14 * S);
    fail(b, 14 * S);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    fail(b, 15 * S);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aDisabledBreakerNeverOpens() {
    CircuitBreaker b =
        new CircuitBreaker(
            new CircuitBreakerConfig(
                false, 1, 1, CircuitBreakerConfig.Window.ofCalls(1), Duration.ofSeconds(1), 1),
            0,
            transitions::add);
    for (int i = 0; i < 10; i++) {
      fail(b, i);
    }
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(transitions).isEmpty();
  }

  @Test
  void manyThreadsGetExactlyTheConfiguredNumberOfProbes() throws Exception {
    int probes = 5;
    CircuitBreaker b = breaker(CircuitBreakerConfig.Window.ofCalls(2), 2, probes);
    fail(b, 0);
    fail(b, 0);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Long> granted = new CopyOnWriteArrayList<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < 1000; i++) {
                  long permit = b.tryAcquire(10 * S);
                  if (permit != CircuitBreaker.REFUSED) {
                    granted.add(permit);
                  }
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    assertThat(granted).hasSize(probes);
    assertThat(transitions).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN);
  }

  @Test
  void aCountWindowStaysExactUnderConcurrentWriters() throws Exception {
    CountWindow window = new CountWindow(1000);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int id = t;
      Thread worker =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  window.record(id % 2 == 0, 0);
                }
              });
      worker.start();
      workers.add(worker);
    }
    for (Thread worker : workers) {
      worker.join();
    }
    long snapshot = window.snapshot(0);
    assertThat(OutcomeWindow.calls(snapshot)).isEqualTo(1000);
    assertThat(OutcomeWindow.failures(snapshot)).isBetween(0, 1000);
    window.reset();
    assertThat(window.snapshot(0)).isZero();
  }
}
