package dev.portcullis.ratelimit.algorithm;

import static dev.portcullis.ratelimit.algorithm.Decisions.admitted;
import static dev.portcullis.ratelimit.algorithm.Decisions.refused;
import static dev.portcullis.ratelimit.algorithm.Decisions.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FixedWindowTest {
  private static final long SECOND = 1_000_000_000L;

  private final ManualClock clock = new ManualClock();
  private final FixedWindow window = new FixedWindow(Rate.parse("3/second"), clock);
  private final AtomicLong key = window.newState();

  @Test
  void countsDownWithinAWindow() {
    clock.advance(250_000_000L);

    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(admitted(2, 750));
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(admitted(1, 750));
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(admitted(0, 750));
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(750, 750));
  }

  @Test
  void theLastNanosecondBelongsToTheWindowAndTheNextStartsAfresh() {
    window.tryAcquire(key, 3);

    clock.advance(SECOND - 1);
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(1, 1));
    clock.advance(1);
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(admitted(2, 1000));
  }

  @Test
  void allowsTwiceTheLimitAcrossABoundary() {
    clock.advance(SECOND - 1);
    assertThat(show(window.tryAcquire(key, 3))).isEqualTo(admitted(0, 1));
    clock.advance(1);
    assertThat(show(window.tryAcquire(key, 3))).isEqualTo(admitted(0, 1000));
  }

  @Test
  void anIdleKeyFindsItsFullLimit() {
    window.tryAcquire(key, 3);

    clock.advance(window.idleResetNanos());
    assertThat(show(window.tryAcquire(key, 3))).isEqualTo(admitted(0, 1000));
    clock.advance(3600 * SECOND + 400_000_000L);
    assertThat(show(window.tryAcquire(key, 2))).isEqualTo(admitted(1, 600));
  }

  @Test
  void severalPermitsAreAllOrNothing() {
    window.tryAcquire(key, 2);

    assertThat(show(window.tryAcquire(key, 2))).isEqualTo(refused(1000, 1000));
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(admitted(0, 1000));
  }

  @Test
  void aClockReadJustBeforeTheKeysWindowCountsInThatWindow() {
    clock.advance(SECOND);
    window.tryAcquire(key, 2);

    // A thread that read the clock before another moved the key into the next window.
    clock.advance(-1);
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(admitted(0, 1000));
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(1000, 1000));
    clock.advance(1);
    assertThat(show(window.tryAcquire(key, 1))).isEqualTo(refused(1000, 1000));
  }

  @Test
  void rejectsPermitsBeyondTheLimit() {
    assertThatThrownBy(() -> window.tryAcquire(key, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits: 4 (expected: 1..3, the limit)");
    assertThat(window.limit()).isEqualTo(3);
    assertThat(window).hasToString("FixedWindow(3/second)");
  }
}
