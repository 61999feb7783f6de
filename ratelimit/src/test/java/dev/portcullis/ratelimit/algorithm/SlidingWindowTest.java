package dev.portcullis.ratelimit.algorithm;

import static dev.portcullis.ratelimit.algorithm.Decisions.admitted;
import static dev.portcullis.ratelimit.algorithm.Decisions.refused;
import static dev.portcullis.ratelimit.algorithm.Decisions.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MILLI = 1_000_000L;

  private final ManualClock clock = new ManualClock();
  private final SlidingWindow window = new SlidingWindow(Rate.parse("10/second"), clock);
  private final AtomicLong key = window.newState();

  @Test
  void countsDownWithinTheFirstWindow() {
    clock.advance(300 * MILLI);

    // A count weighs until the end of the next window: 1700ms from here.
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(admitted(9, 1700));
    assertThat(show(window.tryAcquire(key, 9))).isEqualTo(admitted(0, 1700));
    // Room comes back only once 1 of the 10 has "slid out": 100ms into the next window.
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(800, 1700));
  }

  @Test
  void thePreviousWindowWeighsInProportionToItsOverlap() {
    window.tryAcquire(key, 10);

    clock.advance(SECOND - 1);
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(101, 1001));
    clock.advance(1);
    // At the boundary the previous window's 10 still count in full.
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(100, 1000));
    clock.advance(100 * MILLI - 1);
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(1, 901));
    clock.advance(1);
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(admitted(0, 1900));
    // Halfway: ceil(10 * 0.5) + 1 = 6 used.
    clock.advance(400 * MILLI);
    assertThat(show(window.tryAcquire(key, 4))).isEqualTo(admitted(0, 1500));
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(100, 1500));
  }

  @Test
  void roundsThePreviousWindowsShareUp() {
    window.tryAcquire(key, 3);

    // 3 * 0.75 = 2.25 counts as 3: 7 remain, not 8.
    clock.advance(SECOND + 250 * MILLI);
    assertThat(show(window.tryAcquire(key, 7))).isEqualTo(admitted(0, 1750));
  }

  @Test
  void waitsIntoTheNextWindowWhenTheCurrentOneIsFull() {
    clock.advance(SECOND + 600 * MILLI);
    window.tryAcquire(key, 10);

    // The current 10 become the previous window; 2 fit once they weigh 8: 200ms into it.
    assertThat(show(window.tryAcquire(key, 2))).isEqualTo(refused(600, 1400));
  }

  @Test
  void thePreviousWindowWeighsUntilItsLastNanosecond() {
    window.tryAcquire(key, 10);

    clock.advance(2 * SECOND - 1);
    assertThat(show(window.tryAcquire(key, 10))).isEqualTo(refused(1, 1));
    clock.advance(1);
    assertThat(show(window.tryAcquire(key, 10))).isEqualTo(admitted(0, 2000));
  }

  @Test
  void anIdleKeyFindsItsFullLimit() {
    window.tryAcquire(key, 10);

    clock.advance(window.idleResetNanos());
    assertThat(show(window.tryAcquire(key, 10))).isEqualTo(admitted(0, 2000));
    assertThat(window.idleResetNanos()).isEqualTo(2 * SECOND);
  }

  @Test
  void aClockReadJustBeforeTheKeysWindowCountsAtItsStart() {
    clock.advance(SECOND);
    window.tryAcquire(key, 5);

    clock.advance(-1);
    assertThat(show(window.tryAcquire(key, 5))).isEqualTo(admitted(0, 2000));
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(1100, 2000));
  }

  @Test
  void rejectsLimitsTheCountsCannotHold() {
    assertThat(
            new SlidingWindow(new Rate(SlidingWindow.MAX_LIMIT, Duration.ofHours(1)), clock)
                .limit())
        .isEqualTo(4_194_303);
    assertThatThrownBy(() -> new SlidingWindow(Rate.parse("4194304/hour"), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate: 4194304/hour (expected: a count of at most 4194303 per window)");
    assertThatThrownBy(() -> window.tryAcquire(key, 11))
        .hasMessage("permits: 11 (expected: 1..10, the limit)");
    assertThat(window).hasToString("SlidingWindow(10/second)");
  }
}
