package dev.portcullis.core.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate written as {@code <count>/<period>}: {@code 1000/hour}, {@code 50/second}, {@code
 * 10/minute}, {@code 5/day}, or with an explicit period such as {@code 100/30s} or {@code
 * 20/500ms}. The one parser of rate text: configuration, per-key overrides and the limiters all use
 * it.
 *
 * <p>The count fits an {@code int} and the period is whole milliseconds from 1ms to 24 days (a
 * retry-after longer than that would not fit a decision): a shorter period is not a limit a gateway
 * can enforce, and a longer one would let the limiters' nanosecond arithmetic lose precision.
 */
public record RateSpec(long permits, Duration period) {
  public static final Duration MIN_PERIOD = Duration.ofMillis(1);
  public static final Duration MAX_PERIOD = Duration.ofDays(24);
  private static final Pattern SPEC =
      Pattern.compile("(\\d{1,10})/(?:(second|minute|hour|day)|(\\d{1,10})?(ms|s|m|h|d))");
  private static final String EXPECTED_SPEC =
      " (expected: <count>/<period> such as 1000/hour or 50/second)";

  public RateSpec {
    if (permits <= 0 || permits > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "rate.count: " + permits + " (expected: 1.." + Integer.MAX_VALUE + ")");
    }
    if (period == null
        || period.compareTo(MIN_PERIOD) < 0
        || period.compareTo(MAX_PERIOD) > 0
        || period.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(
          "rate.period: " + period + " (expected: whole milliseconds from 1ms to 24d)");
    }
  }

  /**
   * @throws IllegalArgumentException reading {@code 'text' (expected: ...)}
   */
  public static RateSpec parse(String text) {
    Matcher m = text == null ? null : SPEC.matcher(text);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("'" + text + "'" + EXPECTED_SPEC);
    }
    long count = Long.parseLong(m.group(1));
    if (count < 1 || count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "'" + text + "' (expected: a count from 1 to " + Integer.MAX_VALUE + ")");
    }
    Duration period;
    if (m.group(2) != null) {
      period = unit(m.group(2).substring(0, 1));
    } else {
      long amount = m.group(3) == null ? 1 : Long.parseLong(m.group(3));
      Duration unit = unit(m.group(4));
      // Compared before multiplying, so 9999999999d is rejected here rather than overflowing.
      if (amount < 1 || amount > MAX_PERIOD.toMillis() / unit.toMillis()) {
        throw new IllegalArgumentException("'" + text + "' (expected: a period from 1ms to 24d)");
      }
      period = unit.multipliedBy(amount);
    }
    if (period.compareTo(MAX_PERIOD) > 0) {
      throw new IllegalArgumentException("'" + text + "' (expected: a period from 1ms to 24d)");
    }
    return new RateSpec(count, period);
  }

  private static Duration unit(String symbol) {
    return switch (symbol) {
      case "ms" -> Duration.ofMillis(1);
      case "s" -> Duration.ofSeconds(1);
      case "m" -> Duration.ofMinutes(1);
      case "h" -> Duration.ofHours(1);
      case "d" -> Duration.ofDays(1);
      default -> throw new AssertionError(symbol);
    };
  }

  /** Nanoseconds between two permits at the sustained rate (at least 1). */
  public long nanosPerPermit() {
    return Math.max(1, period.toNanos() / permits);
  }

  /** The spec form, which {@link #parse} reads back: {@code 1000/hour}, {@code 100/30s}. */
  @Override
  public String toString() {
    long millis = period.toMillis();
    String[] words = {"day", "hour", "minute", "second"};
    String[] symbols = {"d", "h", "m", "s"};
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    for (int i = 0; i < sizes.length; i++) {
      if (millis == sizes[i]) {
        return permits + "/" + words[i];
      }
      if (millis % sizes[i] == 0) {
        return permits + "/" + millis / sizes[i] + symbols[i];
      }
    }
    return permits + "/" + millis + "ms";
  }
}
