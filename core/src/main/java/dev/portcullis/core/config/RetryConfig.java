package dev.portcullis.core.config;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Retries of failed upstream calls (YAML {@code upstreams.<name>.retry}). Only requests of an
 * idempotent method (GET, HEAD, OPTIONS, PUT, DELETE) without a body are retried, only before any
 * response byte reached the client, and always on another target.
 *
 * @param maxAttempts calls per request, the first included; 1 turns retries off
 * @param backoffBase the first retry waits a random time up to this; each further one up to twice
 *     the previous bound ("full jitter")
 * @param backoffMax the bound stops growing here
 * @param budgetPercent retries may add at most this percent to the requests of the last 10 s
 * @param minRetriesPerSecond retries always allowed regardless of the percent, so a quiet pool can
 *     still retry
 * @param retryOn the failures that are retried
 */
public record RetryConfig(
    int maxAttempts,
    Duration backoffBase,
    Duration backoffMax,
    int budgetPercent,
    int minRetriesPerSecond,
    Set<Condition> retryOn) {

  public static final RetryConfig DEFAULTS =
      new RetryConfig(
          2, Duration.ofMillis(25), Duration.ofMillis(250), 20, 10, EnumSet.allOf(Condition.class));

  /** A retriable failure. */
  public enum Condition {
    /** The connection could not be opened (refused, unreachable, connect timeout). */
    CONNECT_FAILURE("connect_failure"),
    /** The connection closed or failed before the response head. */
    RESET("reset"),
    BAD_GATEWAY("502"),
    SERVICE_UNAVAILABLE("503"),
    GATEWAY_TIMEOUT("504");

    private final String yamlName;

    Condition(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }

    /** The condition a YAML value names, or null. */
    public static Condition of(String text) {
      for (Condition c : values()) {
        if (c.yamlName.equals(text.trim().toLowerCase(Locale.ROOT))) {
          return c;
        }
      }
      return null;
    }

    /** The condition an upstream response status is, or null when it is not retriable. */
    public static Condition ofStatus(int status) {
      return switch (status) {
        case 502 -> BAD_GATEWAY;
        case 503 -> SERVICE_UNAVAILABLE;
        case 504 -> GATEWAY_TIMEOUT;
        default -> null;
      };
    }
  }

  public RetryConfig {
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException("max_attempts: " + maxAttempts + " (expected: 1..10)");
    }
    Checks.positive("backoff_base", backoffBase);
    Checks.positive("backoff_max", backoffMax);
    if (backoffMax.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException(
          "backoff_max: " + backoffMax + " (expected: at least backoff_base " + backoffBase + ")");
    }
    if (budgetPercent < 0 || budgetPercent > 100) {
      throw new IllegalArgumentException(
          "budget_percent: " + budgetPercent + " (expected: 0..100)");
    }
    Checks.notNegative("min_retries_per_second", minRetriesPerSecond);
    retryOn = retryOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(retryOn));
  }

  public boolean enabled() {
    return maxAttempts > 1 && !retryOn.isEmpty();
  }
}
