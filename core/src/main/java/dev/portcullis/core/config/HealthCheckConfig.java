package dev.portcullis.core.config;

import java.time.Duration;

/**
 * Active health checks of an upstream pool's targets (YAML {@code upstreams.<name>.health_check}):
 * an HTTP GET of {@code path} on a fresh connection every {@code interval}; a 2xx answer within
 * {@code timeout} is a success, anything else a failure.
 *
 * @param healthyThreshold consecutive successes that bring an unhealthy target back
 * @param unhealthyThreshold consecutive failures that take a healthy target out of balancing
 */
public record HealthCheckConfig(
    boolean enabled,
    String path,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold) {

  /** Off: a target's health endpoint is a deployment choice; Jira and Confluence serve /status. */
  public static final HealthCheckConfig DEFAULTS =
      new HealthCheckConfig(false, "/status", Duration.ofSeconds(10), Duration.ofSeconds(2), 2, 3);

  public HealthCheckConfig {
    if (path == null || !path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ')) {
      throw new IllegalArgumentException(
          "path: '" + path + "' (expected: a path starting with / without spaces)");
    }
    Checks.positive("interval", interval);
    Checks.positive("timeout", timeout);
    Checks.positive("healthy_threshold", healthyThreshold);
    Checks.positive("unhealthy_threshold", unhealthyThreshold);
  }
}
