package dev.portcullis.ratelimit.algorithm;

import static dev.portcullis.ratelimit.algorithm.Decisions.admitted;
import static dev.portcullis.ratelimit.algorithm.Decisions.refused;
import static dev.portcullis.ratelimit.algorithm.Decisions.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LocalRateLimiterTest {
  private static final long MILLI = 1_000_000L;

  private final ManualClock clock = new ManualClock();

  @Test
  void keysAreLimitedIndependently() {
    LocalRateLimiter<?> limiter =
        LocalRateLimiter.create(new FixedWindow(Rate.parse("2/minute"), clock), 100);

    assertThat(show(limiter.tryAcquire("alice", 2))).isEqualTo(admitted(0, 60_000));
    assertThat(show(limiter.tryAcquire("alice", 1))).isEqualTo(refused(60_000, 60_000));
    assertThat(show(limiter.tryAcquire("bob", 1))).isEqualTo(admitted(1, 60_000));
    assertThat(limiter.limit()).isEqualTo(2);
    assertThat(limiter.estimatedKeys()).isEqualTo(2);
  }

  @Test
  void idleKeysExpireOnTheAlgorithmsClock() {
    TokenBucket bucket = new TokenBucket(10, Rate.parse("10/second"), clock);
    LocalRateLimiter<?> limiter = LocalRateLimiter.create(bucket, 100);
    limiter.tryAcquire("idle", 10);
    clock.advance(500 * MILLI);
    limiter.tryAcquire("busy", 1);

    clock.advance(bucket.idleResetNanos() - 500 * MILLI - 1);
    limiter.cleanUp();
    assertThat(limiter.estimatedKeys()).isEqualTo(2);

    clock.advance(1);
    limiter.cleanUp();
    assertThat(limiter.estimatedKeys()).isEqualTo(1);
    assertThat(show(limiter.tryAcquire("idle", 10))).isEqualTo(admitted(0, 1000));

    clock.advance(500 * MILLI);
    limiter.cleanUp();
    assertThat(limiter.estimatedKeys()).isEqualTo(1);
  }

  @Test
  void anAccessKeepsAKeyAlive() {
    SlidingWindow window = new SlidingWindow(Rate.parse("5/second"), clock);
    LocalRateLimiter<?> limiter = LocalRateLimiter.create(window, 100);

    for (int i = 0; i < 10; i++) {
      limiter.tryAcquire("steady", 1);
      clock.advance(window.idleResetNanos() - 1);
      limiter.cleanUp();
      assertThat(limiter.estimatedKeys()).isEqualTo(1);
    }
  }

  /**
   * The property expiry relies on: once a state has been idle for {@code idleResetNanos}, it
   * decides exactly as a fresh state would, whatever it held before.
   */
  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void aStateIdleForItsResetTimeIsIndistinguishableFromANewOne(Algorithm kind) {
    for (String spec : new String[] {"7/second", "1000/hour", "3/250ms"}) {
      for (long offset : new long[] {0, 1, 123_456_789}) {
        ManualClock clock = new ManualClock();
        RateLimitAlgorithm<?> algorithm = kind.create(Rate.parse(spec), clock);
        clock.advance(offset);
        assertIdleResetIsComplete(algorithm, clock);
      }
    }
  }

  private static <S> void assertIdleResetIsComplete(
      RateLimitAlgorithm<S> algorithm, ManualClock clock) {
    S used = algorithm.newState();
    int limit = algorithm.limit();
    // Use the key across a window boundary, the worst case for the two-counter window.
    while (RateLimitDecision.isAdmitted(algorithm.tryAcquire(used, 1))) {
      // drain
    }
    clock.advance(algorithm.idleResetNanos() / 2 + 1);
    while (RateLimitDecision.isAdmitted(algorithm.tryAcquire(used, 1))) {
      // drain again
    }

    clock.advance(algorithm.idleResetNanos());
    S fresh = algorithm.newState();
    for (int permits = limit; permits >= 1; permits = permits / 2) {
      assertThat(show(algorithm.tryAcquire(used, permits)))
          .as("%s after idling, %d permits", algorithm, permits)
          .isEqualTo(show(algorithm.tryAcquire(fresh, permits)));
    }
  }

  @Test
  void theSizeBoundHolds() {
    LocalRateLimiter<?> limiter =
        LocalRateLimiter.create(new SlidingWindow(Rate.parse("10/second"), clock), 100);

    for (int i = 0; i < 10_000; i++) {
      limiter.tryAcquire("client-" + i, 1);
    }
    limiter.cleanUp();

    assertThat(limiter.estimatedKeys()).isLessThanOrEqualTo(100);
  }

  @Test
  void decidingForAKnownKeyAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (Algorithm kind :
        new Algorithm[] {
          Algorithm.TOKEN_BUCKET, Algorithm.SLIDING_WINDOW, Algorithm.FIXED_WINDOW
        }) {
      LocalRateLimiter<?> limiter =
          LocalRateLimiter.create(kind.create(Rate.parse("1000000/hour"), clock), 100);
      String[] keys = {"a", "b", "c", "d"};
      for (int i = 0; i < 200_000; i++) {
        limiter.tryAcquire(keys[i & 3], 1);
      }

      long before = threads.getCurrentThreadAllocatedBytes();
      long admitted = 0;
      for (int i = 0; i < 100_000; i++) {
        admitted += RateLimitDecision.isAdmitted(limiter.tryAcquire(keys[i & 3], 1)) ? 1 : 0;
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;

      assertThat(admitted).isEqualTo(100_000);
      assertThat(allocated).as("%s bytes allocated by 100000 decisions", kind).isLessThan(1024);
    }
  }

  @Test
  void rejectsANonPositiveBound() {
    assertThatThrownBy(
            () -> LocalRateLimiter.create(new FixedWindow(Rate.parse("1/second"), clock), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maximumKeys: 0 (expected: > 0)");
  }
}
