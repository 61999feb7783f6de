package dev.portcullis.ratelimit.algorithm;

import static dev.portcullis.ratelimit.algorithm.Decisions.admitted;
import static dev.portcullis.ratelimit.algorithm.Decisions.refused;
import static dev.portcullis.ratelimit.algorithm.Decisions.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlidingLogTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MILLI = 1_000_000L;

  private final ManualClock clock = new ManualClock();
  private final SlidingLog log = new SlidingLog(Rate.parse("3/second"), clock);
  private final SlidingLog.Log key = log.newState();

  @Test
  void refusesUntilTheOldestPermitSlidesOut() {
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(admitted(2, 1000));
    clock.advance(200 * MILLI);
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(admitted(1, 1000));
    clock.advance(300 * MILLI);
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(admitted(0, 1000));
    clock.advance(100 * MILLI);
    // Full at 600ms: the permit taken at 0 frees room at 1000ms, the last one at 1500ms.
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(refused(400, 900));

    clock.set(clock.nanoTime() - 600 * MILLI + SECOND - 1);
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(refused(1, 501));
    clock.advance(1);
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(admitted(0, 1000));
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(refused(200, 1000));
  }

  @Test
  void isExactAcrossAWindowBoundaryWhereFixedWindowsAreNot() {
    clock.advance(900 * MILLI);
    log.tryAcquire(key, 3);

    clock.advance(200 * MILLI);
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(refused(800, 800));
  }

  @Test
  void severalPermitsWaitForAsManyToExpire() {
    log.tryAcquire(key, 1);
    clock.advance(100 * MILLI);
    log.tryAcquire(key, 1);
    clock.advance(100 * MILLI);
    log.tryAcquire(key, 1);

    // Two permits need the two oldest gone: the one taken at 100ms expires at 1100ms.
    assertThat(show(log.tryAcquire(key, 2))).isEqualTo(refused(900, 1000));
    clock.advance(900 * MILLI);
    assertThat(show(log.tryAcquire(key, 2))).isEqualTo(admitted(0, 1000));
  }

  @Test
  void anIdleKeyFindsItsFullLimit() {
    log.tryAcquire(key, 3);

    clock.advance(log.idleResetNanos());
    assertThat(show(log.tryAcquire(key, 3))).isEqualTo(admitted(0, 1000));
  }

  @Test
  void aClockReadBeforeTheNewestTimestampKeepsTheLogInOrder() {
    clock.advance(SECOND);
    log.tryAcquire(key, 1);
    clock.advance(-5 * MILLI);
    // Recorded at the newest timestamp, so it expires with it, not 5ms earlier.
    assertThat(show(log.tryAcquire(key, 2))).isEqualTo(admitted(0, 1005));

    clock.advance(5 * MILLI + SECOND - 1);
    assertThat(show(log.tryAcquire(key, 1))).isEqualTo(refused(1, 1));
  }

  @Test
  void theRingGrowsWithUseNotWithTheLimit() {
    SlidingLog big = new SlidingLog(Rate.parse("1000/minute"), clock);
    SlidingLog.Log state = big.newState();
    assertThat(SlidingLog.capacity(state)).isZero();

    big.tryAcquire(state, 5);
    assertThat(SlidingLog.capacity(state)).isEqualTo(8);
    big.tryAcquire(state, 5);
    assertThat(SlidingLog.capacity(state)).isEqualTo(16);
    big.tryAcquire(state, 990);
    assertThat(SlidingLog.capacity(state)).isEqualTo(1000);
  }

  @Test
  void agreesWithANaiveLogOverARandomWorkload() {
    SplittableRandom random = new SplittableRandom(42);
    int limit = 13;
    long window = 50 * MILLI;
    SlidingLog exact = new SlidingLog(new Rate(limit, Duration.ofNanos(window)), clock);
    SlidingLog.Log state = exact.newState();
    ArrayDeque<Long> model = new ArrayDeque<>();

    for (int i = 0; i < 50_000; i++) {
      clock.advance(random.nextLong(8 * MILLI));
      long now = clock.nanoTime();
      int permits = random.nextInt(1, 5);
      while (!model.isEmpty() && now - model.peekFirst() >= window) {
        model.pollFirst();
      }
      long expected;
      if (model.size() + permits <= limit) {
        for (int p = 0; p < permits; p++) {
          model.addLast(now);
        }
        expected = RateLimitDecision.admittedNanos(limit - model.size(), window);
      } else {
        long freesRoom = model.stream().skip(model.size() + permits - limit - 1).findFirst().get();
        expected =
            RateLimitDecision.refusedNanos(
                freesRoom + window - now, model.peekLast() + window - now);
      }

      assertThat(show(exact.tryAcquire(state, permits))).as("step %d", i).isEqualTo(show(expected));
    }
  }

  @Test
  void rejectsLimitsTooLargeToLog() {
    assertThatThrownBy(() -> new SlidingLog(Rate.parse("100001/hour"), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "rate: 100001/hour (expected: a count of at most 100000 for the exact sliding log)");
    assertThatThrownBy(() -> log.tryAcquire(key, 0))
        .hasMessage("permits: 0 (expected: 1..3, the limit)");
    assertThat(log).hasToString("SlidingLog(3/second)");
  }
}
