package dev.portcullis.ratelimit.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitDecisionTest {

  @Test
  void admittedCarriesRemainingAndReset() {
    long decision = RateLimitDecision.admitted(41, 1500);

    assertThat(RateLimitDecision.isAdmitted(decision)).isTrue();
    assertThat(decision).isPositive();
    assertThat(RateLimitDecision.remaining(decision)).isEqualTo(41);
    assertThat(RateLimitDecision.retryAfterMillis(decision)).isZero();
    assertThat(RateLimitDecision.resetMillis(decision)).isEqualTo(1500);
    assertThat(RateLimitDecision.resetSeconds(decision)).isEqualTo(2);
    assertThat(RateLimitDecision.toString(decision))
        .isEqualTo("admitted(remaining=41, reset=1500ms)");
  }

  @Test
  void refusedCarriesRetryAfterAndReset() {
    long decision = RateLimitDecision.refused(2001, 3_600_000);

    assertThat(RateLimitDecision.isAdmitted(decision)).isFalse();
    assertThat(RateLimitDecision.remaining(decision)).isZero();
    assertThat(RateLimitDecision.retryAfterMillis(decision)).isEqualTo(2001);
    assertThat(RateLimitDecision.retryAfterSeconds(decision)).isEqualTo(3);
    assertThat(RateLimitDecision.resetMillis(decision)).isEqualTo(3_600_000);
    assertThat(RateLimitDecision.resetSeconds(decision)).isEqualTo(3600);
    assertThat(RateLimitDecision.toString(decision))
        .isEqualTo("refused(retryAfter=2001ms, reset=3600000ms)");
  }

  @Test
  void zeroesAreDistinctFromRefusal() {
    long decision = RateLimitDecision.admitted(0, 0);

    assertThat(decision).isZero();
    assertThat(RateLimitDecision.isAdmitted(decision)).isTrue();
    assertThat(RateLimitDecision.resetSeconds(decision)).isZero();
  }

  @Test
  void aRefusalAlwaysAsksForSomeWait() {
    long decision = RateLimitDecision.refused(0, 0);

    assertThat(RateLimitDecision.retryAfterMillis(decision)).isEqualTo(1);
    assertThat(RateLimitDecision.retryAfterSeconds(decision)).isEqualTo(1);
  }

  @Test
  void clampsValuesTooLargeForTheirFields() {
    long admitted = RateLimitDecision.admitted(Long.MAX_VALUE, Long.MAX_VALUE);
    long refused = RateLimitDecision.refused(Long.MAX_VALUE, -5);

    assertThat(RateLimitDecision.remaining(admitted)).isEqualTo(Integer.MAX_VALUE);
    assertThat(RateLimitDecision.resetMillis(admitted)).isEqualTo(0xFFFF_FFFFL);
    assertThat(RateLimitDecision.isAdmitted(refused)).isFalse();
    assertThat(RateLimitDecision.retryAfterMillis(refused)).isEqualTo(Integer.MAX_VALUE);
    assertThat(RateLimitDecision.resetMillis(refused)).isZero();
  }

  @Test
  void nanosRoundUpToTheMillisecond() {
    assertThat(RateLimitDecision.ceilMillis(-1)).isZero();
    assertThat(RateLimitDecision.ceilMillis(0)).isZero();
    assertThat(RateLimitDecision.ceilMillis(1)).isEqualTo(1);
    assertThat(RateLimitDecision.ceilMillis(1_000_000)).isEqualTo(1);
    assertThat(RateLimitDecision.ceilMillis(1_000_001)).isEqualTo(2);
    assertThat(RateLimitDecision.admittedNanos(3, 999_999_999)).isEqualTo(3L << 32 | 1000);
  }
}
