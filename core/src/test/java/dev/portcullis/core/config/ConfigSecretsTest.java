package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets resolve once at load and their values never reach a problem line, an exception message or
 * a {@code toString}. Every secret value here contains {@value #MARKER}, so one search finds any
 * leak.
 */
class ConfigSecretsTest {
  private static final String MARKER = "s3cr3t";
  private static final String SOURCE = "gateway.yaml";

  @Test
  void literalEnvironmentAndFileSecretsResolve(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gateway-secret");
    Files.writeString(file, "s3cr3t-from-file\n");
    GatewayConfig config =
        new ConfigLoader(
                Map.of(
                    "GW_SECRET", "s3cr3t-from-env",
                    "REDIS_URL", "redis://:s3cr3t-redis@10.0.0.7:6379/0"))
            .parse(
                """
                upstreams:
                  jira:
                    request_headers:
                      X-Literal: s3cr3t-literal
                      X-Env: ${GW_SECRET}
                      X-File: file:%s
                      X-Pin: 0123
                rate_limits:
                  redis: {uri: "${REDIS_URL}"}
                """
                    .formatted(file),
                SOURCE);
    Map<String, Secret> headers = config.upstreams().get("jira").requestHeaders();
    assertThat(headers.get("X-Literal").reveal()).isEqualTo("s3cr3t-literal");
    assertThat(headers.get("X-Env").reveal()).isEqualTo("s3cr3t-from-env");
    assertThat(headers.get("X-File").reveal()).isEqualTo("s3cr3t-from-file");
    // Written unquoted, YAML 1.1 would make this the octal number 83.
    assertThat(headers.get("X-Pin").reveal()).isEqualTo("0123");
    assertThat(config.rateLimits().redis().uri().reveal())
        .isEqualTo("redis://:s3cr3t-redis@10.0.0.7:6379/0");
    assertThat(config.toString()).doesNotContain(MARKER).contains("X-Env=******");
  }

  @Test
  void aSecretFileIsReadOnceAtLoad(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "s3cr3t-first\n");
    ConfigLoader loader = new ConfigLoader(Map.of());
    GatewayConfig config =
        loader.parse("upstreams: {jira: {request_headers: {X-T: 'file:" + file + "'}}}", SOURCE);
    Files.writeString(file, "s3cr3t-second\n");
    assertThat(config.upstreams().get("jira").requestHeaders().get("X-T").reveal())
        .isEqualTo("s3cr3t-first");
  }

  @Test
  void anEnvironmentOverrideReplacesTheHeaderWrittenInTheFile() throws Exception {
    GatewayConfig config =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_UPSTREAMS_JIRA_REQUEST_HEADERS_X_GATEWAY_SECRET",
                    "s3cr3t-override"))
            .parse("upstreams: {jira: {request_headers: {X-Gateway-Secret: s3cr3t-old}}}", SOURCE);
    Map<String, Secret> headers = config.upstreams().get("jira").requestHeaders();
    assertThat(headers).containsOnlyKeys("X-Gateway-Secret");
    assertThat(headers.get("X-Gateway-Secret").reveal()).isEqualTo("s3cr3t-override");
  }

  @Test
  void noProblemLineOrMessageEverHoldsASecret(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "s3cr3t-file-content\n");
    Map<String, String> env = new HashMap<>();
    env.put("GW_SECRET", "s3cr3t-env-value");
    env.put("NOT_REDIS", "http://user:s3cr3t-not-redis@10.0.0.7");
    Map<String, String> withHeaderOverride = new HashMap<>(env);
    withHeaderOverride.put("PORTCULLIS_UPSTREAMS_JIRA_REQUEST_HEADERS_X_A", "s3cr3t-from-env-var");
    withHeaderOverride.put("PORTCULLIS_SERVER_PORT", "-1");

    List<String> everything = new ArrayList<>();
    everything.addAll(
        rejected(
            env,
            "upstreams:\n  jira:\n    request_headers:\n      X-A: s3cr3t-colon: oops\n",
            "gateway.yaml: invalid YAML at line 4, column 24: mapping values are not allowed"
                + " here"));
    everything.addAll(
        rejected(
            env,
            "upstreams:\n  jira:\n    request_headers:\n      X-A: \"s3cr3t-unterminated\n",
            "gateway.yaml: invalid YAML at line 4, column 10: while scanning a quoted scalar,"
                + " found unexpected end of stream"));
    everything.addAll(
        rejected(
            env,
            "upstreams: {jira: {request_headers: {X-A: [s3cr3t-in-a-list]}}}",
            "gateway.yaml: upstreams.jira.request_headers.X-A: a value of the wrong type"
                + " (expected: a text secret, ${ENV_VAR} or file:/path)"));
    everything.addAll(
        rejected(
            env,
            "upstreams: {jira: {request_headers: s3cr3t-where-a-mapping-goes}}",
            "gateway.yaml: upstreams.jira.request_headers: a value of the wrong type (expected: a"
                + " mapping of header name to value)"));
    everything.addAll(
        rejected(
            env,
            "upstreams: {jira: {max_pending_requests: '${GW_SECRET}'}}",
            "gateway.yaml: upstreams.jira.max_pending_requests: '${GW_SECRET}' (expected: an"
                + " integer)"));
    everything.addAll(
        rejected(
            env,
            "upstreams: {jira: {request_headers: {X-A: s3cr3t-one, X-A: s3cr3t-two}}}",
            "gateway.yaml: invalid YAML at line 1, column 58: Duplicate field 'X-A'"));
    everything.addAll(
        rejected(
            env,
            "upstreams: {jira: {request_headers: {'X A': s3cr3t-bad-name}}}",
            "gateway.yaml: upstreams.jira.request_headers.X A: not a valid header name"));
    everything.addAll(
        rejected(
            env,
            "rate_limits: {redis: {uri: '${NOT_REDIS}'}}",
            "gateway.yaml: rate_limits.redis.uri: not a Redis URI (expected: redis://host:port,"
                + " rediss://..., redis-sentinel://... or a comma-separated list of redis://"
                + " nodes)"));
    everything.addAll(
        rejected(
            env,
            "rate_limits: {redis: 'redis://:s3cr3t-one-level-too-high@10.0.0.7'}",
            "gateway.yaml: rate_limits.redis: a single value (expected: a mapping with uri)"));
    everything.addAll(
        rejected(
            env,
            "upstreams: {jira: {request_headers: {X-F: 'file:" + file + "'}, port: 1}}",
            "gateway.yaml: upstreams.jira.port: unknown key (expected one of: targets,"
                + " connect_timeout, response_timeout, max_connections_per_target,"
                + " max_pending_requests, idle_timeout, load_balancing, preserve_host,"
                + " request_headers, circuit_breaker, health_check, outlier_detection,"
                + " retry, tls)"));
    everything.addAll(
        rejected(
            withHeaderOverride,
            "",
            "environment PORTCULLIS_SERVER_PORT: server.port: -1 (expected: 0..65535)"));

    assertThat(everything).isNotEmpty().noneMatch(text -> text.contains(MARKER));
  }

  /** Asserts the expected problem is among those reported; returns every text a user could see. */
  private static List<String> rejected(Map<String, String> env, String yaml, String expected) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(env).parse(yaml, SOURCE));
    assertThat(e).as("expected rejection of: %s", yaml).isNotNull();
    assertThat(e.problems()).contains(expected);
    List<String> texts = new ArrayList<>(e.problems());
    texts.add(e.getMessage());
    texts.add(e.toString());
    return texts;
  }
}
