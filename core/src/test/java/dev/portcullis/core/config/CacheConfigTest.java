package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheConfigTest {

  private static GatewayConfig parse(String yaml, Map<String, String> env) throws Exception {
    return new ConfigLoader(env).parse(yaml, "gw.yaml");
  }

  private static List<String> problems(String yaml) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).parse(yaml, "gw.yaml"));
    assertThat(e).as("expected the configuration to be rejected").isNotNull();
    return e.problems();
  }

  @Test
  void theBuiltInRoutesGetTheShippedAtlassianPoliciesAndNoRedis() throws Exception {
    CacheConfig cache = new ConfigLoader(Map.of()).load(null).cache();
    assertThat(cache.redis()).isNull();
    assertThat(cache.maxBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(cache.policies())
        .extracting(CacheConfig.Policy::route, p -> p.paths().get(0))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("jira-rest", "/rest/api/3/field"),
            org.assertj.core.groups.Tuple.tuple("jira-rest", "/rest/api/3/project"),
            org.assertj.core.groups.Tuple.tuple("jira-rest", "/rest/api/3/issuetype"),
            org.assertj.core.groups.Tuple.tuple("confluence", "/wiki/rest/api/space"));
    for (CacheConfig.Policy policy : cache.policies()) {
      assertThat(policy.overrideUpstreamCacheControl()).isTrue();
      assertThat(policy.share()).isEqualTo(CacheConfig.Share.PRINCIPAL);
      assertThat(policy.ttl()).isLessThanOrEqualTo(Duration.ofMinutes(1));
    }
  }

  @Test
  void routesOfTheirOwnGetNoShippedPolicy() throws Exception {
    GatewayConfig config =
        parse(
            """
            upstreams:
              b: {targets: ["http://127.0.0.1:9"]}
            routes:
              - {name: mine, match: {path: /x/**}, upstream: b}
            """,
            Map.of());
    assertThat(config.cache().policies()).isEmpty();
    assertThat(config.cache().enabled()).isFalse();
  }

  @Test
  void everyPolicyKeyIsRead() throws Exception {
    GatewayConfig config =
        parse(
            """
            upstreams:
              b: {targets: ["http://127.0.0.1:9"]}
            routes:
              - {name: mine, match: {path: /x/**}, upstream: b}
            cache:
              max_bytes: 8MiB
              coalesce_wait: 2s
              redis: {uri: "${CACHE_REDIS}", l2: false, compression: false, timeout: 50ms}
              policies:
                - name: things
                  route: mine
                  paths: [/x/things, /x/things/*]
                  methods: [GET]
                  ttl: 10s
                  override_upstream_cache_control: true
                  share: tenant
                  max_entry_bytes: 64KiB
                  stale_while_revalidate: 0s
                  stale_if_error: 1m
                  invalidate_parents: 2
            """,
            Map.of("CACHE_REDIS", "redis://:pw@127.0.0.1:6379"));
    CacheConfig cache = config.cache();
    assertThat(cache.maxBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(cache.coalesceWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(cache.redis().uri().reveal()).isEqualTo("redis://:pw@127.0.0.1:6379");
    assertThat(cache.redis().l2()).isFalse();
    assertThat(cache.redis().compression()).isFalse();
    assertThat(cache.redis().timeout()).isEqualTo(Duration.ofMillis(50));
    assertThat(cache.policies())
        .containsExactly(
            new CacheConfig.Policy(
                "things",
                "mine",
                List.of("/x/things", "/x/things/*"),
                Set.of("GET"),
                Duration.ofSeconds(10),
                true,
                CacheConfig.Share.TENANT,
                64 * 1024,
                Duration.ZERO,
                Duration.ofMinutes(1),
                2));
  }

  @Test
  void badValuesAreReportedWithTheirKeysAndNoSecretIsEchoed() {
    List<String> problems =
        problems(
            """
            upstreams:
              b: {targets: ["http://127.0.0.1:9"]}
            routes:
              - {name: mine, match: {path: /x/**}, upstream: b}
            cache:
              redis: {uri: "http://user:hunter2@host"}
              policies:
                - {name: a, route: nope, ttl: 0s}
                - {name: b, route: mine, methods: [POST], share: everyone, paths: [x]}
                - {name: c, route: mine, invalidate_parents: 99}
            """);
    assertThat(String.join("\n", problems)).doesNotContain("hunter2");
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).contains("cache.redis.uri: not a Redis URI"))
        .anySatisfy(p -> assertThat(p).contains("cache.policies[0].route: 'nope'"))
        .anySatisfy(p -> assertThat(p).contains("cache.policies[0].ttl: '0s'"))
        .anySatisfy(p -> assertThat(p).contains("cache.policies[1].methods: 'POST'"))
        .anySatisfy(p -> assertThat(p).contains("cache.policies[1].share: 'everyone'"))
        .anySatisfy(p -> assertThat(p).contains("cache.policies[1].paths[0]: 'x'"))
        .anySatisfy(p -> assertThat(p).contains("cache.policies[2].invalidate_parents: 99"));
  }
}
