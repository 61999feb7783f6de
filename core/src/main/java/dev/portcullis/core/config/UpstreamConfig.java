package dev.portcullis.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A named pool of backend targets (for example {@code jira}).
 *
 * @param targets base URIs {@code http://host:port}; a path on a target is not allowed
 * @param maxConnectionsPerTarget open connections to one target, across all event loops
 * @param maxPendingRequests requests that may wait for a connection per target and event loop once
 *     the limit is reached; past it the gateway answers 503
 * @param idleTimeout a pooled keep-alive connection unused for this long is closed
 * @param preserveHost send the client's Host upstream instead of the target's authority
 * @param requestHeaders headers added to every request sent to this upstream (for example a shared
 *     secret proving the request came through the gateway); values are secrets
 * @param circuitBreaker the breaker of each target
 * @param healthCheck active health checks of the targets
 * @param outlierDetection passive ejection of failing targets
 * @param retry retries of failed calls on another target
 * @param tls certificate verification for {@code https://} targets
 */
public record UpstreamConfig(
    String name,
    List<URI> targets,
    Duration connectTimeout,
    Duration responseTimeout,
    int maxConnectionsPerTarget,
    int maxPendingRequests,
    Duration idleTimeout,
    LoadBalancing loadBalancing,
    boolean preserveHost,
    Map<String, Secret> requestHeaders,
    CircuitBreakerConfig circuitBreaker,
    HealthCheckConfig healthCheck,
    OutlierDetectionConfig outlierDetection,
    RetryConfig retry,
    UpstreamTlsConfig tls) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_CONNECTIONS_PER_TARGET = 256;
  public static final int DEFAULT_MAX_PENDING_REQUESTS = 1024;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  public UpstreamConfig {
    String at = "upstreams." + name;
    Checks.notBlank("upstreams", name);
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException(at + ".targets: [] (expected: at least one target URL)");
    }
    targets = List.copyOf(targets);
    Checks.positive(at + ".connect_timeout", connectTimeout);
    Checks.positive(at + ".response_timeout", responseTimeout);
    Checks.positive(at + ".max_connections_per_target", maxConnectionsPerTarget);
    Checks.notNegative(at + ".max_pending_requests", maxPendingRequests);
    Checks.positive(at + ".idle_timeout", idleTimeout);
    Checks.notNull(at + ".load_balancing", loadBalancing);
    requestHeaders = Map.copyOf(requestHeaders);
    Checks.notNull(at + ".circuit_breaker", circuitBreaker);
    Checks.notNull(at + ".health_check", healthCheck);
    Checks.notNull(at + ".outlier_detection", outlierDetection);
    Checks.notNull(at + ".retry", retry);
    Checks.notNull(at + ".tls", tls);
  }

  /**
   * A pool with the default circuit breaker, health check, outlier detection and retries, verifying
   * TLS targets against the system trust store.
   */
  public UpstreamConfig(
      String name,
      List<URI> targets,
      Duration connectTimeout,
      Duration responseTimeout,
      int maxConnectionsPerTarget,
      int maxPendingRequests,
      Duration idleTimeout,
      LoadBalancing loadBalancing,
      boolean preserveHost,
      Map<String, Secret> requestHeaders) {
    this(
        name,
        targets,
        connectTimeout,
        responseTimeout,
        maxConnectionsPerTarget,
        maxPendingRequests,
        idleTimeout,
        loadBalancing,
        preserveHost,
        requestHeaders,
        CircuitBreakerConfig.DEFAULTS,
        HealthCheckConfig.DEFAULTS,
        OutlierDetectionConfig.DEFAULTS,
        RetryConfig.DEFAULTS,
        UpstreamTlsConfig.DEFAULTS);
  }

  /** The same pool with other TLS verification settings. */
  public UpstreamConfig withTls(UpstreamTlsConfig newTls) {
    return new UpstreamConfig(
        name,
        targets,
        connectTimeout,
        responseTimeout,
        maxConnectionsPerTarget,
        maxPendingRequests,
        idleTimeout,
        loadBalancing,
        preserveHost,
        requestHeaders,
        circuitBreaker,
        healthCheck,
        outlierDetection,
        retry,
        newTls);
  }

  /** A pool with every default but its targets. */
  public static UpstreamConfig withDefaults(String name, List<URI> targets) {
    return new UpstreamConfig(
        name,
        targets,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_RESPONSE_TIMEOUT,
        DEFAULT_MAX_CONNECTIONS_PER_TARGET,
        DEFAULT_MAX_PENDING_REQUESTS,
        DEFAULT_IDLE_TIMEOUT,
        LoadBalancing.ROUND_ROBIN,
        false,
        Map.of());
  }

  public UpstreamConfig withTargets(List<URI> newTargets) {
    return new UpstreamConfig(
        name,
        newTargets,
        connectTimeout,
        responseTimeout,
        maxConnectionsPerTarget,
        maxPendingRequests,
        idleTimeout,
        loadBalancing,
        preserveHost,
        requestHeaders,
        circuitBreaker,
        healthCheck,
        outlierDetection,
        retry,
        tls);
  }

  /** The same pool with other resilience settings; a null argument keeps the current one. */
  public UpstreamConfig withResilience(
      CircuitBreakerConfig newBreaker,
      HealthCheckConfig newHealthCheck,
      OutlierDetectionConfig newOutlierDetection,
      RetryConfig newRetry) {
    return new UpstreamConfig(
        name,
        targets,
        connectTimeout,
        responseTimeout,
        maxConnectionsPerTarget,
        maxPendingRequests,
        idleTimeout,
        loadBalancing,
        preserveHost,
        requestHeaders,
        newBreaker == null ? circuitBreaker : newBreaker,
        newHealthCheck == null ? healthCheck : newHealthCheck,
        newOutlierDetection == null ? outlierDetection : newOutlierDetection,
        newRetry == null ? retry : newRetry,
        tls);
  }
}
