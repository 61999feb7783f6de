package dev.portcullis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.RetryConfig;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which requests are retried and the retry budget, with a fake clock. */
class RetryPolicyTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);

  private static RetryPolicy policy(int percent, int minPerSecond, int loops) {
    return new RetryPolicy(
        new RetryConfig(
            3,
            Duration.ofMillis(10),
            Duration.ofMillis(80),
            percent,
            minPerSecond,
            EnumSet.allOf(RetryConfig.Condition.class)),
        loops);
  }

  @Test
  void onlyIdempotentMethodsWithoutABodyAreEligible() {
    RetryPolicy p = policy(20, 10, 1);
    for (HttpMethod m :
        new HttpMethod[] {
          HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE
        }) {
      assertThat(p.eligible(m, false)).as(m.name()).isTrue();
      assertThat(p.eligible(m, true)).as(m.name() + " with a body").isFalse();
    }
    assertThat(p.eligible(HttpMethod.POST, false)).isFalse();
    assertThat(p.eligible(HttpMethod.PATCH, false)).isFalse();
    assertThat(p.eligible(HttpMethod.valueOf("PROPFIND"), false)).isFalse();
    RetryPolicy off =
        new RetryPolicy(
            new RetryConfig(
                1,
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                20,
                1,
                EnumSet.allOf(RetryConfig.Condition.class)),
            1);
    assertThat(off.eligible(HttpMethod.GET, false)).isFalse();
  }

  @Test
  void retriesAreCappedByTheShareOfRecentRequests() {
    RetryPolicy p = policy(20, 0, 1);
    for (int i = 0; i < 100; i++) {
      p.requested(S);
    }
    int granted = 0;
    for (int i = 0; i < 100; i++) {
      granted += p.tryRetry(2 * S) ? 1 : 0;
    }
    assertThat(granted).isEqualTo(20);
    // Ten seconds on, those requests and retries have left the window.
    for (int i = 0; i < 10; i++) {
      p.requested(12 * S);
    }
    granted = 0;
    for (int i = 0; i < 100; i++) {
      granted += p.tryRetry(12 * S) ? 1 : 0;
    }
    assertThat(granted).isEqualTo(2);
  }

  @Test
  void aQuietPoolStillGetsTheMinimumSplitOverTheLoops() {
    RetryPolicy p = policy(0, 2, 4); // 2/s over 10 s, a quarter of it on this loop
    int granted = 0;
    for (int i = 0; i < 100; i++) {
      granted += p.tryRetry(S) ? 1 : 0;
    }
    assertThat(granted).isEqualTo(5);
  }

  @Test
  void backoffIsJitteredWithinAGrowingCappedBound() {
    RetryPolicy p = policy(20, 10, 1);
    for (int i = 0; i < 1000; i++) {
      assertThat(p.backoffNanos(1)).isBetween(0L, TimeUnit.MILLISECONDS.toNanos(10));
      assertThat(p.backoffNanos(3)).isBetween(0L, TimeUnit.MILLISECONDS.toNanos(40));
      assertThat(p.backoffNanos(30)).isBetween(0L, TimeUnit.MILLISECONDS.toNanos(80));
    }
  }

  @Test
  void conditionsComeFromTheConfiguration() {
    RetryPolicy p =
        new RetryPolicy(
            new RetryConfig(
                2,
                Duration.ofMillis(1),
                Duration.ofMillis(1),
                20,
                1,
                EnumSet.of(RetryConfig.Condition.CONNECT_FAILURE)),
            1);
    assertThat(p.retriesOn(RetryConfig.Condition.CONNECT_FAILURE)).isTrue();
    assertThat(p.retriesOn(RetryConfig.Condition.SERVICE_UNAVAILABLE)).isFalse();
    assertThat(p.retriesOn(RetryConfig.Condition.ofStatus(500))).isFalse();
  }
}
