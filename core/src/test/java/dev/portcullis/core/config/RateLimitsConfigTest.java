package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.core.config.RateLimitsConfig.Algorithm;
import dev.portcullis.core.config.RateLimitsConfig.FailMode;
import dev.portcullis.core.config.RateLimitsConfig.KeyPart;
import dev.portcullis.core.config.RateLimitsConfig.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimitsConfigTest {

  private static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(env).parse(yaml, "gw.yaml"));
    assertThat(e).as("expected the configuration to be rejected").isNotNull();
    return e.problems();
  }

  @Test
  void ratesParseInEveryWrittenForm() {
    assertThat(RateSpec.parse("1000/hour")).isEqualTo(new RateSpec(1000, Duration.ofHours(1)));
    assertThat(RateSpec.parse("50/second")).isEqualTo(new RateSpec(50, Duration.ofSeconds(1)));
    assertThat(RateSpec.parse("10/minute")).isEqualTo(new RateSpec(10, Duration.ofMinutes(1)));
    assertThat(RateSpec.parse("5/day")).isEqualTo(new RateSpec(5, Duration.ofDays(1)));
    assertThat(RateSpec.parse("100/30s")).isEqualTo(new RateSpec(100, Duration.ofSeconds(30)));
    assertThat(RateSpec.parse("1/250ms").nanosPerPermit()).isEqualTo(250_000_000L);
    assertThat(RateSpec.parse("100/30s")).hasToString("100/30s");
    assertThat(RateSpec.parse("1000/hour")).hasToString("1000/hour");
    assertThatThrownBy(() -> RateSpec.parse("0/hour"))
        .hasMessage("'0/hour' (expected: a count from 1 to 2147483647)");
    assertThatThrownBy(() -> RateSpec.parse("1/400d"))
        .hasMessage("'1/400d' (expected: a period from 1ms to 24d)");
    assertThat(RateSpec.parse("100/30s")).hasToString("100/30s");
    assertThat(RateSpec.parse("1000/hour")).hasToString("1000/hour");
    for (String bad : new String[] {"abc", "10/fortnight", "/hour", "10"}) {
      assertThatThrownBy(() -> RateSpec.parse(bad))
          .hasMessage("'" + bad + "' (expected: <count>/<period> such as 1000/hour or 50/second)");
    }
  }

  @Test
  void defaultsHaveTheDesignedKeyTypeLimitsAndNoPolicies() throws Exception {
    RateLimitsConfig limits = new ConfigLoader(Map.of()).load(null).rateLimits();
    assertThat(limits.redis()).isNull();
    assertThat(limits.policies()).isEmpty();
    assertThat(limits.keyTypeDefaults())
        .containsEntry("user", RateSpec.parse("1000/hour"))
        .containsEntry("service", RateSpec.parse("10000/hour"))
        .containsEntry("admin", RateSpec.parse("5000/hour"));
  }

  @Test
  void policiesAndRedisAreBound() throws Exception {
    RateLimitsConfig limits =
        new ConfigLoader(Map.of("REDIS_URL", "redis://:pw@127.0.0.1:6379/0"))
            .parse(
                """
                rate_limits:
                  redis: {uri: "${REDIS_URL}", timeout: 20ms, fail_mode: fail_closed, breaker_failures: 3, breaker_open_for: 2s}
                  key_type_defaults: {user: 100/minute}
                  policies:
                    - {name: anon, key: client_ip, limit: 50/second, burst: 100}
                    - name: tenant-writes
                      key: tenant+route
                      algorithm: sliding_window
                      limit: 1000/hour
                      scope: cluster
                      routes: [jira-rest]
                      methods: [POST, PUT]
                """,
                "gw.yaml")
            .rateLimits();
    assertThat(limits.redis().uri().reveal()).isEqualTo("redis://:pw@127.0.0.1:6379/0");
    assertThat(limits.redis().timeout()).isEqualTo(Duration.ofMillis(20));
    assertThat(limits.redis().failMode()).isEqualTo(FailMode.FAIL_CLOSED);
    assertThat(limits.redis().breakerFailures()).isEqualTo(3);
    assertThat(limits.keyTypeDefaults().get("user")).isEqualTo(RateSpec.parse("100/minute"));
    assertThat(limits.keyTypeDefaults().get("service")).isEqualTo(RateSpec.parse("10000/hour"));
    assertThat(limits.policies())
        .containsExactly(
            new RateLimitsConfig.Policy(
                "anon",
                List.of(KeyPart.CLIENT_IP),
                Algorithm.TOKEN_BUCKET,
                RateSpec.parse("50/second"),
                100,
                Scope.LOCAL,
                Set.of(),
                Set.of()),
            new RateLimitsConfig.Policy(
                "tenant-writes",
                List.of(KeyPart.TENANT, KeyPart.ROUTE),
                Algorithm.SLIDING_WINDOW,
                RateSpec.parse("1000/hour"),
                0,
                Scope.CLUSTER,
                Set.of("jira-rest"),
                Set.of("POST", "PUT")));
    assertThat(limits.toString()).doesNotContain(":pw@");
  }

  @Test
  void badPoliciesAreReportedEach() {
    assertThat(
            problems(
                """
                rate_limits:
                  key_type_defaults: {robot: 1/second, user: lots}
                  policies:
                    - {name: a, key: client_ip+shoe_size, limit: 1/second}
                    - {name: b, key: route, limit: 10/fortnight, algorithm: leaky, scope: cluster, routes: [nope], burst: -1}
                    - {name: c, key: route}
                    - {name: c, key: route, limit: 1/second}
                """,
                Map.of()))
        .containsExactly(
            "gw.yaml: rate_limits.key_type_defaults.robot: unknown key type (expected one of: user, service, admin, legacy)",
            "gw.yaml: rate_limits.key_type_defaults.user: 'lots' (expected: <count>/<period> such as 1000/hour or 50/second)",
            "gw.yaml: rate_limits.policies[0].key: 'client_ip+shoe_size' (expected: principal, api_key, tenant, client_ip or route, or a combination such as tenant+route)",
            "gw.yaml: rate_limits.policies[1].algorithm: 'leaky' (expected: token_bucket, sliding_window, sliding_log or fixed_window)",
            "gw.yaml: rate_limits.policies[1].limit: '10/fortnight' (expected: <count>/<period> such as 1000/hour or 50/second)",
            "gw.yaml: rate_limits.policies[1].burst: -1 (expected: 0..2147483647)",
            "gw.yaml: rate_limits.policies[1].scope: cluster (expected: local, or a Redis in rate_limits.redis.uri)",
            "gw.yaml: rate_limits.policies[1].routes[0]: 'nope' (expected: one of the routes [confluence, jira-agile, jira-rest, jira-servicedesk])",
            "gw.yaml: rate_limits.policies[2].limit: missing (expected: <count>/<period> such as 1000/hour)");
  }

  @Test
  void duplicatePolicyNamesAndABadRedisUriNeverEchoingIt() {
    assertThat(
            problems(
                "rate_limits:\n  redis: {uri: 'http://user:s3cr3t@redis'}\n  policies:\n    - {name: c, key: route, limit: 1/second}\n    - {name: c, key: route, limit: 1/second}\n",
                Map.of()))
        .containsExactly(
            "gw.yaml: rate_limits.redis.uri: not a Redis URI (expected: redis://host:port, rediss://..., redis-sentinel://... or a comma-separated list of redis:// nodes)",
            "gw.yaml: rate_limits.policies[1].name: 'c' is used by an earlier policy (expected: unique policy names)");
  }

  @Test
  void environmentOverridesReachPolicies() throws Exception {
    RateLimitsConfig limits =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_RATE_LIMITS_POLICIES_0_LIMIT",
                    "7/second",
                    "PORTCULLIS_RATE_LIMITS_KEY_TYPE_DEFAULTS_SERVICE",
                    "9/second"))
            .parse(
                "rate_limits:\n  policies:\n    - {name: a, key: client_ip, limit: 1/second}\n",
                "gw.yaml")
            .rateLimits();
    assertThat(limits.policies().get(0).limit()).isEqualTo(RateSpec.parse("7/second"));
    assertThat(limits.keyTypeDefaults().get("service")).isEqualTo(RateSpec.parse("9/second"));
  }

  @Test
  void limitsAnAlgorithmCannotHoldAreRefused() {
    assertThat(
            problems(
                "rate_limits:\n  policies:\n    - {name: a, key: route, algorithm: sliding_log, limit: 100001/hour}\n",
                Map.of()))
        .containsExactly(
            "gw.yaml: rate_limits.policies[0].limit: '100001/hour' (expected: at most 100000 per period for sliding_log)");
  }
}
