package dev.portcullis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.OutlierDetectionConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Passive outlier ejection with a fake clock. */
class EjectionTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private static final OutlierDetectionConfig CONFIG =
      new OutlierDetectionConfig(true, 3, Duration.ofSeconds(10), Duration.ofSeconds(25), 50);

  private final AtomicInteger ejections = new AtomicInteger();

  private Ejection[] group(int targets, OutlierDetectionConfig config) {
    EjectionGroup group = new EjectionGroup(targets, config.maxEjectionPercent());
    Ejection[] members = new Ejection[targets];
    for (int i = 0; i < targets; i++) {
      members[i] = new Ejection(config, group, ejections::incrementAndGet);
    }
    group.register(members);
    return members;
  }

  private static void failTimes(Ejection e, int n, long now) {
    for (int i = 0; i < n; i++) {
      e.failed(now);
    }
  }

  @Test
  void consecutiveFailuresEjectForAGrowingCappedTimeAndASuccessBreaksTheStreak() {
    Ejection e = group(2, CONFIG)[0];
    e.failed(0);
    e.failed(0);
    e.succeeded();
    e.failed(0);
    e.failed(0);
    assertThat(e.ejected(0)).isFalse();
    e.failed(0);
    assertThat(e.ejected(0)).isTrue();
    assertThat(e.remainingNanos(0)).isEqualTo(10 * S);
    assertThat(e.ejected(10 * S - 1)).isTrue();
    assertThat(e.ejected(10 * S)).isFalse(); // re-admitted

    failTimes(e, 3, 11 * S); // second ejection: twice the base
    assertThat(e.remainingNanos(11 * S)).isEqualTo(20 * S);
    assertThat(e.ejected(31 * S)).isFalse();
    failTimes(e, 3, 32 * S); // third: 30 s, capped at 25 s
    assertThat(e.remainingNanos(32 * S)).isEqualTo(25 * S);
    assertThat(ejections).hasValue(3);

    // In for max_ejection_time after its return: the count starts over.
    assertThat(e.ejected(57 * S)).isFalse();
    failTimes(e, 3, 90 * S);
    assertThat(e.remainingNanos(90 * S)).isEqualTo(10 * S);
  }

  @Test
  void neverMoreThanTheConfiguredShareOfThePoolIsEjected() {
    Ejection[] pool = group(4, CONFIG); // 50% of 4: two at most
    for (Ejection e : pool) {
      failTimes(e, 3, 0);
    }
    int out = 0;
    for (Ejection e : pool) {
      out += e.ejected(0) ? 1 : 0;
    }
    assertThat(out).isEqualTo(2);
    assertThat(pool[0].ejected(0)).isTrue();
    assertThat(pool[1].ejected(0)).isTrue();
    // Once the first two are back, the others may be ejected in their turn.
    failTimes(pool[2], 3, 10 * S);
    assertThat(pool[2].ejected(10 * S)).isTrue();
  }

  @Test
  void aSingleTargetPoolIsNotEjectedUnderTheDefaultShare() {
    Ejection only = group(1, OutlierDetectionConfig.DEFAULTS)[0];
    failTimes(only, 100, 0);
    assertThat(only.ejected(0)).isFalse();
    assertThat(ejections).hasValue(0);
  }

  @Test
  void disabledDetectionNeverEjects() {
    Ejection e =
        group(
            2,
            new OutlierDetectionConfig(
                false, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), 100))[0];
    failTimes(e, 10, 0);
    assertThat(e.ejected(0)).isFalse();
  }
}
