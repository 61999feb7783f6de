package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResilienceConfigTest {

  @Test
  void defaultsArePresentOnEveryPool() throws Exception {
    UpstreamConfig jira = new ConfigLoader(Map.of()).load(null).upstreams().get("jira");
    assertThat(jira.circuitBreaker()).isEqualTo(CircuitBreakerConfig.DEFAULTS);
    assertThat(jira.circuitBreaker().window().span()).isEqualTo(Duration.ofSeconds(10));
    assertThat(jira.healthCheck().enabled()).isFalse();
    assertThat(jira.healthCheck().path()).isEqualTo("/status");
    assertThat(jira.outlierDetection()).isEqualTo(OutlierDetectionConfig.DEFAULTS);
    assertThat(jira.retry().maxAttempts()).isEqualTo(2);
    assertThat(jira.retry().retryOn()).hasSize(5);
  }

  @Test
  void sectionsAreReadFromTheFileAndTheEnvironment() throws Exception {
    String yaml =
        """
        upstreams:
          jira:
            circuit_breaker: {failure_rate_threshold: 25, minimum_calls: 4, window: 50, open_duration: 5s, half_open_probes: 2}
            health_check: {enabled: true, path: /ping, interval: 3s, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 2}
            outlier_detection: {consecutive_failures: 3, base_ejection_time: 1s, max_ejection_time: 4s, max_ejection_percent: 100}
            retry: {max_attempts: 3, backoff_base: 10ms, backoff_max: 40ms, budget_percent: 10, retry_on: [connect_failure, 503]}
        """;
    UpstreamConfig jira =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_UPSTREAMS_JIRA_RETRY_MIN_RETRIES_PER_SECOND", "2",
                    "PORTCULLIS_UPSTREAMS_JIRA_CIRCUIT_BREAKER_ENABLED", "false"))
            .parse(yaml, "gw.yaml")
            .upstreams()
            .get("jira");
    assertThat(jira.circuitBreaker())
        .isEqualTo(
            new CircuitBreakerConfig(
                false, 25, 4, CircuitBreakerConfig.Window.ofCalls(50), Duration.ofSeconds(5), 2));
    assertThat(jira.healthCheck())
        .isEqualTo(
            new HealthCheckConfig(
                true, "/ping", Duration.ofSeconds(3), Duration.ofSeconds(1), 1, 2));
    assertThat(jira.outlierDetection())
        .isEqualTo(
            new OutlierDetectionConfig(true, 3, Duration.ofSeconds(1), Duration.ofSeconds(4), 100));
    assertThat(jira.retry())
        .isEqualTo(
            new RetryConfig(
                3,
                Duration.ofMillis(10),
                Duration.ofMillis(40),
                10,
                2,
                Set.of(
                    RetryConfig.Condition.CONNECT_FAILURE,
                    RetryConfig.Condition.SERVICE_UNAVAILABLE)));
    // A section naming some keys keeps the defaults of the others.
    UpstreamConfig partial =
        new ConfigLoader(Map.of())
            .parse("upstreams:\n  jira:\n    circuit_breaker: {window: 30s}\n", "gw.yaml")
            .upstreams()
            .get("jira");
    assertThat(partial.circuitBreaker().window().span()).isEqualTo(Duration.ofSeconds(30));
    assertThat(partial.circuitBreaker().minimumCalls()).isEqualTo(20);
  }

  @Test
  void badValuesAreReportedWithTheirKeys() {
    String yaml =
        """
        upstreams:
          jira:
            circuit_breaker: {failure_rate_threshold: 0, window: often, half_open_probes: 0}
            health_check: {path: status}
            outlier_detection: {base_ejection_time: 10s, max_ejection_time: 1s, max_ejection_percent: 101}
            retry: {max_attempts: 0, retry_on: [connect_failure, 500]}
        """;
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).parse(yaml, "gw.yaml"));
    assertThat(e.problems())
        .contains(
            "gw.yaml: upstreams.jira.circuit_breaker.failure_rate_threshold: 0 (expected: 1..100)",
            "gw.yaml: upstreams.jira.circuit_breaker.window: 'often' (expected: a call count such as 100 or a duration such as 10s)",
            "gw.yaml: upstreams.jira.circuit_breaker.half_open_probes: 0 (expected: 1..1000)",
            "gw.yaml: upstreams.jira.health_check.path: 'status' (expected: a path starting with /)",
            "gw.yaml: upstreams.jira.outlier_detection.max_ejection_percent: 101 (expected: 0..100)",
            "gw.yaml: upstreams.jira.outlier_detection: max_ejection_time: PT1S (expected: at least base_ejection_time PT10S)",
            "gw.yaml: upstreams.jira.retry.max_attempts: 0 (expected: 1..10)",
            "gw.yaml: upstreams.jira.retry.retry_on[1]: '500' (expected: connect_failure, reset, 502, 503 or 504)");
  }

  @Test
  void recordsRejectInconsistentValues() {
    assertThatThrownBy(
            () ->
                new CircuitBreakerConfig(
                    true,
                    50,
                    20,
                    CircuitBreakerConfig.Window.ofCalls(10),
                    Duration.ofSeconds(1),
                    1))
        .hasMessage("minimum_calls: 20 (expected: at most the window's 10 calls)");
    assertThatThrownBy(
            () -> new RetryConfig(2, Duration.ofSeconds(1), Duration.ofMillis(1), 20, 1, Set.of()))
        .hasMessage("backoff_max: PT0.001S (expected: at least backoff_base PT1S)");
  }
}
