package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerLimitsConfigTest {

  @Test
  void requestLimitsHaveSafeDefaultsAndCanBeSet() throws Exception {
    ServerLimits defaults = new ConfigLoader(Map.of()).load(null).server().limits();
    assertThat(defaults.maxHeaders()).isEqualTo(100);
    assertThat(defaults.maxBodyBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(defaults.maxConnections()).isEqualTo(10_000);
    assertThat(defaults.requestHeadersTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.requestTimeout()).isEqualTo(Duration.ofMinutes(5));

    ServerLimits set =
        new ConfigLoader(Map.of("PORTCULLIS_SERVER_LIMITS_MAX_BODY_BYTES", "100MiB"))
            .parse(
                "server:\n  limits: {max_headers: 50, max_connections: 200, request_headers_timeout: 2s, request_timeout: 0s}\n",
                "gw.yaml")
            .server()
            .limits();
    assertThat(set.maxHeaders()).isEqualTo(50);
    assertThat(set.maxBodyBytes()).isEqualTo(100L * 1024 * 1024);
    assertThat(set.maxConnections()).isEqualTo(200);
    assertThat(set.requestHeadersTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(set.requestTimeout()).isZero();
  }

  @Test
  void badLimitsAreReported() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                new ConfigLoader(Map.of())
                    .parse(
                        "server:\n  limits: {max_headers: 0, request_headers_timeout: 0s, max_body_bytes: lots}\n",
                        "gw.yaml"));
    assertThat(e.problems())
        .containsExactly(
            "gw.yaml: server.limits.max_headers: 0 (expected: 1..10000)",
            "gw.yaml: server.limits.max_body_bytes: 'lots' (expected: a size such as 8192, 64KiB, 10MiB or 1GiB)",
            "gw.yaml: server.limits.request_headers_timeout: '0s' (expected: a duration > 0)");
  }
}
