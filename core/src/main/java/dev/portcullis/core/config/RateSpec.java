package dev.portcullis.core.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate written as {@code <count>/<period>}: {@code 1000/hour}, {@code 50/second}, {@code
 * 10/minute}, {@code 5/day}, or with an explicit period such as {@code 100/30s}. The one parser of
 * rate text: configuration, per-key overrides and the limiters all use it.
 */
public record RateSpec(long permits, Duration period) {
  private static final Pattern FORM = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\S+)\\s*");

  public RateSpec {
    if (permits <= 0) {
      throw new IllegalArgumentException(permits + " (expected: a count > 0)");
    }
    if (period == null || period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException(period + " (expected: a period > 0)");
    }
  }

  /**
   * @throws IllegalArgumentException reading {@code 'text' (expected: ...)}
   */
  public static RateSpec parse(String text) {
    Matcher m = text == null ? null : FORM.matcher(text);
    if (m != null && m.matches()) {
      Duration period = unit(m.group(2).toLowerCase(Locale.ROOT));
      long permits;
      try {
        permits = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        permits = -1;
      }
      if (period != null && permits > 0) {
        return new RateSpec(permits, period);
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' (expected: <count>/<period> such as 1000/hour, 50/second or 100/30s)");
  }

  private static Duration unit(String unit) {
    return switch (unit) {
      case "second", "sec", "s" -> Duration.ofSeconds(1);
      case "minute", "min", "m" -> Duration.ofMinutes(1);
      case "hour", "h" -> Duration.ofHours(1);
      case "day", "d" -> Duration.ofDays(1);
      default -> ConfigBinder.parseDuration(unit);
    };
  }

  /** Nanoseconds between two permits at the sustained rate (at least 1). */
  public long nanosPerPermit() {
    return Math.max(1, period.toNanos() / permits);
  }

  @Override
  public String toString() {
    return permits + "/" + period.toSeconds() + "s";
  }
}
