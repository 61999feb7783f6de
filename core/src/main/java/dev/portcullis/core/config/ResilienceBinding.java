package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an upstream pool's {@code circuit_breaker}, {@code health_check}, {@code outlier_detection}
 * and {@code retry} sections, reporting problems through the binder. An absent section keeps its
 * defaults; a section with some keys keeps the defaults of the others.
 */
final class ResilienceBinding {
  static final ConfigSchema CIRCUIT_BREAKER =
      ConfigSchema.object(
          "enabled", ConfigSchema.LEAF_NODE,
          "failure_rate_threshold", ConfigSchema.LEAF_NODE,
          "minimum_calls", ConfigSchema.LEAF_NODE,
          "window", ConfigSchema.LEAF_NODE,
          "open_duration", ConfigSchema.LEAF_NODE,
          "half_open_probes", ConfigSchema.LEAF_NODE);
  static final ConfigSchema HEALTH_CHECK =
      ConfigSchema.object(
          "enabled", ConfigSchema.LEAF_NODE,
          "path", ConfigSchema.LEAF_NODE,
          "interval", ConfigSchema.LEAF_NODE,
          "timeout", ConfigSchema.LEAF_NODE,
          "healthy_threshold", ConfigSchema.LEAF_NODE,
          "unhealthy_threshold", ConfigSchema.LEAF_NODE);
  static final ConfigSchema OUTLIER_DETECTION =
      ConfigSchema.object(
          "enabled", ConfigSchema.LEAF_NODE,
          "consecutive_failures", ConfigSchema.LEAF_NODE,
          "base_ejection_time", ConfigSchema.LEAF_NODE,
          "max_ejection_time", ConfigSchema.LEAF_NODE,
          "max_ejection_percent", ConfigSchema.LEAF_NODE);
  static final ConfigSchema RETRY =
      ConfigSchema.object(
          "max_attempts", ConfigSchema.LEAF_NODE,
          "backoff_base", ConfigSchema.LEAF_NODE,
          "backoff_max", ConfigSchema.LEAF_NODE,
          "budget_percent", ConfigSchema.LEAF_NODE,
          "min_retries_per_second", ConfigSchema.LEAF_NODE,
          "retry_on", ConfigSchema.scalarList());

  private ResilienceBinding() {}

  static CircuitBreakerConfig circuitBreaker(ConfigBinder b, JsonNode upstream, String upstreamAt) {
    String at = upstreamAt + ".circuit_breaker";
    JsonNode n = sectionOf(b, upstream, "circuit_breaker", at);
    CircuitBreakerConfig d = CircuitBreakerConfig.DEFAULTS;
    if (n == null) {
      return d;
    }
    boolean enabled = b.bool(n, at + ".enabled", "enabled", d.enabled());
    int threshold =
        b.integer(
            n,
            at + ".failure_rate_threshold",
            "failure_rate_threshold",
            d.failureRateThreshold(),
            1,
            100);
    int minimumCalls =
        b.integer(n, at + ".minimum_calls", "minimum_calls", d.minimumCalls(), 1, 100_000);
    CircuitBreakerConfig.Window window = window(b, n, at + ".window", d.window());
    Duration open = b.duration(n, at + ".open_duration", "open_duration", d.openDuration(), false);
    int probes =
        b.integer(n, at + ".half_open_probes", "half_open_probes", d.halfOpenProbes(), 1, 1000);
    CircuitBreakerConfig built =
        b.build(
            at,
            () -> new CircuitBreakerConfig(enabled, threshold, minimumCalls, window, open, probes));
    return built == null ? d : built;
  }

  /** {@code 100}: the last 100 calls; {@code 10s}: the calls of the last 10 seconds. */
  private static CircuitBreakerConfig.Window window(
      ConfigBinder b, JsonNode n, String at, CircuitBreakerConfig.Window fallback) {
    String text = b.string(n, at, "window", null);
    if (text == null) {
      return fallback;
    }
    String expected = " (expected: a call count such as 100 or a duration such as 10s)";
    String trimmed = text.trim();
    if (trimmed.matches("\\d{1,9}")) {
      int calls = Integer.parseInt(trimmed);
      if (calls < 1 || calls > 100_000) {
        b.problems.add(at, calls + " (expected: 1..100000 calls)");
        return fallback;
      }
      return CircuitBreakerConfig.Window.ofCalls(calls);
    }
    Duration span = ConfigBinder.parseDuration(trimmed);
    if (span == null) {
      b.problems.add(at, "'" + text + "'" + expected);
      return fallback;
    }
    if (span.compareTo(CircuitBreakerConfig.Window.MIN_SPAN) < 0) {
      b.problems.add(at, "'" + text + "' (expected: a duration of at least 10ms)");
      return fallback;
    }
    return CircuitBreakerConfig.Window.ofSpan(span);
  }

  static HealthCheckConfig healthCheck(ConfigBinder b, JsonNode upstream, String upstreamAt) {
    String at = upstreamAt + ".health_check";
    JsonNode n = sectionOf(b, upstream, "health_check", at);
    HealthCheckConfig d = HealthCheckConfig.DEFAULTS;
    if (n == null) {
      return d;
    }
    boolean enabled = b.bool(n, at + ".enabled", "enabled", d.enabled());
    String path = b.absolutePath(n, at + ".path", "path");
    Duration interval = b.duration(n, at + ".interval", "interval", d.interval(), false);
    Duration timeout = b.duration(n, at + ".timeout", "timeout", d.timeout(), false);
    int healthy =
        b.integer(n, at + ".healthy_threshold", "healthy_threshold", d.healthyThreshold(), 1, 1000);
    int unhealthy =
        b.integer(
            n, at + ".unhealthy_threshold", "unhealthy_threshold", d.unhealthyThreshold(), 1, 1000);
    HealthCheckConfig built =
        b.build(
            at,
            () ->
                new HealthCheckConfig(
                    enabled,
                    path == null ? d.path() : path,
                    interval,
                    timeout,
                    healthy,
                    unhealthy));
    return built == null ? d : built;
  }

  static OutlierDetectionConfig outlierDetection(
      ConfigBinder b, JsonNode upstream, String upstreamAt) {
    String at = upstreamAt + ".outlier_detection";
    JsonNode n = sectionOf(b, upstream, "outlier_detection", at);
    OutlierDetectionConfig d = OutlierDetectionConfig.DEFAULTS;
    if (n == null) {
      return d;
    }
    boolean enabled = b.bool(n, at + ".enabled", "enabled", d.enabled());
    int failures =
        b.integer(
            n,
            at + ".consecutive_failures",
            "consecutive_failures",
            d.consecutiveFailures(),
            1,
            1_000_000);
    Duration base =
        b.duration(
            n, at + ".base_ejection_time", "base_ejection_time", d.baseEjectionTime(), false);
    Duration max =
        b.duration(n, at + ".max_ejection_time", "max_ejection_time", d.maxEjectionTime(), false);
    int percent =
        b.integer(
            n,
            at + ".max_ejection_percent",
            "max_ejection_percent",
            d.maxEjectionPercent(),
            0,
            100);
    OutlierDetectionConfig built =
        b.build(at, () -> new OutlierDetectionConfig(enabled, failures, base, max, percent));
    return built == null ? d : built;
  }

  static RetryConfig retry(ConfigBinder b, JsonNode upstream, String upstreamAt) {
    String at = upstreamAt + ".retry";
    JsonNode n = sectionOf(b, upstream, "retry", at);
    RetryConfig d = RetryConfig.DEFAULTS;
    if (n == null) {
      return d;
    }
    int attempts = b.integer(n, at + ".max_attempts", "max_attempts", d.maxAttempts(), 1, 10);
    Duration base = b.duration(n, at + ".backoff_base", "backoff_base", d.backoffBase(), false);
    Duration max = b.duration(n, at + ".backoff_max", "backoff_max", d.backoffMax(), false);
    int percent = b.integer(n, at + ".budget_percent", "budget_percent", d.budgetPercent(), 0, 100);
    int minPerSecond =
        b.integer(
            n,
            at + ".min_retries_per_second",
            "min_retries_per_second",
            d.minRetriesPerSecond(),
            0,
            1_000_000);
    Set<RetryConfig.Condition> on = d.retryOn();
    if (n.has("retry_on") && !n.get("retry_on").isNull()) {
      List<String> names = b.strings(n, at + ".retry_on", "retry_on");
      EnumSet<RetryConfig.Condition> parsed = EnumSet.noneOf(RetryConfig.Condition.class);
      for (int i = 0; i < names.size(); i++) {
        RetryConfig.Condition c = RetryConfig.Condition.of(names.get(i));
        if (c == null) {
          b.problems.add(
              at + ".retry_on[" + i + "]",
              "'" + names.get(i) + "' (expected: connect_failure, reset, 502, 503 or 504)");
        } else {
          parsed.add(c);
        }
      }
      on = parsed;
    }
    Set<RetryConfig.Condition> retryOn = on;
    RetryConfig built =
        b.build(at, () -> new RetryConfig(attempts, base, max, percent, minPerSecond, retryOn));
    return built == null ? d : built;
  }

  /** The section's mapping, or null when it is absent (or not a mapping: then a problem). */
  private static JsonNode sectionOf(ConfigBinder b, JsonNode upstream, String key, String at) {
    JsonNode n = upstream.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      b.problems.add(at, ConfigBinder.kindOf(n) + " (expected: a mapping)");
      return null;
    }
    return n;
  }
}
