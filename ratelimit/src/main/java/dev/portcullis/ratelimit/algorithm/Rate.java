package dev.portcullis.ratelimit.algorithm;

import dev.portcullis.core.config.RateSpec;
import java.time.Duration;

/**
 * A number of permits per period, as written in configuration: {@code 1000/hour}, {@code
 * 50/second}, {@code 10/minute}, {@code 5/day}, {@code 100/30s}, {@code 20/500ms}.
 *
 * <p>The algorithms' form of core's {@link RateSpec} (an {@code int} count), with its bounds.
 */
public record Rate(int count, Duration period) {
  public Rate {
    new RateSpec(count, period); // the one place the bounds are checked
  }

  /** Reads the configuration form; the parsing itself is core's {@link RateSpec}. */
  public static Rate parse(String text) {
    return of(RateSpec.parse(text));
  }

  public static Rate of(RateSpec spec) {
    return new Rate(Math.toIntExact(spec.permits()), spec.period());
  }

  public long periodNanos() {
    return period.toNanos();
  }

  /** The spec form, which {@link #parse} reads back: {@code 1000/hour}, {@code 100/30s}. */
  @Override
  public String toString() {
    return new RateSpec(count, period).toString();
  }
}
