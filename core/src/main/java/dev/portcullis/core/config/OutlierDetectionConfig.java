package dev.portcullis.core.config;

import java.time.Duration;

/**
 * Passive outlier ejection (YAML {@code upstreams.<name>.outlier_detection}): a target whose calls
 * fail {@code consecutiveFailures} times in a row is taken out of balancing for {@code
 * baseEjectionTime} times the number of times it was ejected, at most {@code maxEjectionTime}.
 *
 * @param maxEjectionPercent at most this share of the pool's targets (rounded down) is ejected at
 *     once, so a pool-wide problem never ejects the whole pool
 */
public record OutlierDetectionConfig(
    boolean enabled,
    int consecutiveFailures,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent) {

  public static final OutlierDetectionConfig DEFAULTS =
      new OutlierDetectionConfig(true, 5, Duration.ofSeconds(30), Duration.ofMinutes(5), 50);

  public OutlierDetectionConfig {
    Checks.positive("consecutive_failures", consecutiveFailures);
    Checks.positive("base_ejection_time", baseEjectionTime);
    Checks.positive("max_ejection_time", maxEjectionTime);
    if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
      throw new IllegalArgumentException(
          "max_ejection_time: "
              + maxEjectionTime
              + " (expected: at least base_ejection_time "
              + baseEjectionTime
              + ")");
    }
    if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
      throw new IllegalArgumentException(
          "max_ejection_percent: " + maxEjectionPercent + " (expected: 0..100)");
    }
  }
}
