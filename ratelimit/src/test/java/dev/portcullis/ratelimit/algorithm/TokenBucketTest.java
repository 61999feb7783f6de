package dev.portcullis.ratelimit.algorithm;

import static dev.portcullis.ratelimit.algorithm.Decisions.admitted;
import static dev.portcullis.ratelimit.algorithm.Decisions.refused;
import static dev.portcullis.ratelimit.algorithm.Decisions.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  private final ManualClock clock = new ManualClock();

  @Test
  void aNewKeyHasItsWholeBurstAndCountsDown() {
    TokenBucket bucket = new TokenBucket(3, Rate.parse("1/second"), clock);
    AtomicLong key = bucket.newState();

    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(admitted(2, 1000));
    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(admitted(1, 2000));
    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(admitted(0, 3000));
    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(refused(1000, 3000));
  }

  @Test
  void aPermitReturnsOnTheNanosecondItIsDue() {
    TokenBucket bucket = new TokenBucket(2, Rate.parse("1/second"), clock);
    AtomicLong key = bucket.newState();
    bucket.tryAcquire(key, 2);

    clock.advance(SECOND - 1);
    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(refused(1, 1001));
    clock.advance(1);
    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(admitted(0, 2000));
    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(refused(1000, 2000));
  }

  @Test
  void fractionalIntervalsRoundToTheNanosecondWithoutDrift() {
    // 3/second: permits are emitted at ceil(k * 1e9 / 3) ns, 333333334, 666666667, 1000000000...
    TokenBucket bucket = new TokenBucket(1, Rate.parse("3/second"), clock);
    AtomicLong key = bucket.newState();
    bucket.tryAcquire(key, 1);

    clock.advance(333_333_333L);
    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(refused(1, 1));
    clock.advance(1);
    assertThat(bucket.tryAcquire(key, 1)).matches(RateLimitDecision::isAdmitted);
    clock.advance(333_333_332L);
    assertThat(bucket.tryAcquire(key, 1)).matches(d -> !RateLimitDecision.isAdmitted(d));
    clock.advance(1);
    assertThat(bucket.tryAcquire(key, 1)).matches(RateLimitDecision::isAdmitted);

    // A day after the origin the emission instants still fall on the same nanoseconds.
    long day = 86_400 * SECOND;
    clock.set(clock.nanoTime() - 666_666_667L + day);
    assertThat(bucket.tryAcquire(key, 1)).matches(RateLimitDecision::isAdmitted);
    assertThat(bucket.tryAcquire(key, 1)).matches(d -> !RateLimitDecision.isAdmitted(d));
    clock.advance(333_333_333L);
    assertThat(bucket.tryAcquire(key, 1)).matches(d -> !RateLimitDecision.isAdmitted(d));
    clock.advance(1);
    assertThat(bucket.tryAcquire(key, 1)).matches(RateLimitDecision::isAdmitted);
  }

  @Test
  void refillsOnlyUpToCapacityAfterIdling() {
    TokenBucket bucket = new TokenBucket(5, Rate.parse("10/second"), clock);
    AtomicLong key = bucket.newState();
    bucket.tryAcquire(key, 5);

    clock.advance(3600 * SECOND);
    int admitted = 0;
    while (RateLimitDecision.isAdmitted(bucket.tryAcquire(key, 1))) {
      admitted++;
    }
    assertThat(admitted).isEqualTo(5);
  }

  @Test
  void partialRefillLeavesTheRightCount() {
    TokenBucket bucket = new TokenBucket(10, Rate.parse("10/second"), clock);
    AtomicLong key = bucket.newState();
    bucket.tryAcquire(key, 10);

    clock.advance(350_000_000L);
    // 3 permits back; taking 2 leaves 1. Full again when the 12th permit is emitted, at 1200ms.
    assertThat(show(bucket.tryAcquire(key, 2))).isEqualTo(admitted(1, 850));
  }

  @Test
  void acquiresSeveralPermitsAllOrNothing() {
    TokenBucket bucket = new TokenBucket(10, Rate.parse("10/second"), clock);
    AtomicLong key = bucket.newState();

    assertThat(show(bucket.tryAcquire(key, 7))).isEqualTo(admitted(3, 700));
    // 4 asked, 3 there: wait for one more permit, 100ms; nothing is taken.
    assertThat(show(bucket.tryAcquire(key, 4))).isEqualTo(refused(100, 700));
    assertThat(show(bucket.tryAcquire(key, 3))).isEqualTo(admitted(0, 1000));
    assertThat(show(bucket.tryAcquire(key, 10))).isEqualTo(refused(1000, 1000));
  }

  @Test
  void capacityAndRefillRateAreIndependent() {
    // A burst of 100, then 1000/hour: one permit every 3.6 seconds.
    TokenBucket bucket = new TokenBucket(100, Rate.parse("1000/hour"), clock);
    AtomicLong key = bucket.newState();
    bucket.tryAcquire(key, 100);

    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(refused(3600, 360_000));
    clock.advance(3600 * 1_000_000L);
    assertThat(show(bucket.tryAcquire(key, 1))).isEqualTo(admitted(0, 360_000));
    assertThat(bucket.idleResetNanos()).isEqualTo(Duration.ofSeconds(360).toNanos());
  }

  @Test
  void aFreshStateIsFullAtAnyTime() {
    TokenBucket bucket = new TokenBucket(4, Rate.parse("1/minute"), clock);
    clock.advance(1_000 * 86_400 * SECOND);

    assertThat(show(bucket.tryAcquire(bucket.newState(), 4))).isEqualTo(admitted(0, 240_000));
  }

  @Test
  void aClockReadBeforeTheOriginCountsAsTheOrigin() {
    TokenBucket bucket = new TokenBucket(2, Rate.parse("1/second"), clock);
    AtomicLong key = bucket.newState();
    clock.advance(-5 * SECOND);

    assertThat(show(bucket.tryAcquire(key, 2))).isEqualTo(admitted(0, 2000));
  }

  @Test
  void rejectsBadArguments() {
    TokenBucket bucket = new TokenBucket(3, Rate.parse("1/second"), clock);

    assertThatThrownBy(() -> bucket.tryAcquire(bucket.newState(), 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits: 4 (expected: 1..3, the limit)");
    assertThatThrownBy(() -> new TokenBucket(0, Rate.parse("1/second"), clock))
        .hasMessage("capacity: 0 (expected: > 0)");
    assertThatThrownBy(() -> new TokenBucket(1, Rate.parse("2000000/1ms"), clock))
        .hasMessage("refill: 2000000/1ms (expected: at most one permit per nanosecond)");
    assertThatThrownBy(() -> new TokenBucket(1_000_000, Rate.parse("1/24d"), clock))
        .hasMessage("capacity: 1000000 (expected: a bucket that refills within 10 years at 1/24d)");
  }

  @Test
  void describesItself() {
    assertThat(new TokenBucket(20, Rate.parse("10/second"), clock))
        .hasToString("TokenBucket(capacity=20, refill=10/second)");
  }
}
