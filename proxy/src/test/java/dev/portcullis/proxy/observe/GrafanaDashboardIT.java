package dev.portcullis.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.AccessLogConfig;
import dev.portcullis.core.config.CacheConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.RateSpec;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard under {@code deploy/grafana} is valid dashboard JSON and every PromQL
 * expression in it names only metrics a running gateway exposes.
 */
class GrafanaDashboardIT {
  @TempDir Path dir;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern IDENTIFIER =
      Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(?=\\s*(\\()?)");
  private static final Set<String> PROMQL_WORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "offset");

  static Path dashboardFile() {
    Path here = Path.of("").toAbsolutePath();
    for (Path dir = here; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("deploy/grafana/portcullis-dashboard.json");
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("deploy/grafana/portcullis-dashboard.json not found above " + here);
  }

  /** The metric names an expression reads: identifiers that are not functions, labels or words. */
  static Set<String> metricNames(String expr) {
    String bare =
        expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
            .replaceAll("\\{[^}]*}", " ") // label matchers
            .replaceAll("\\[[^]]*]", " ") // ranges
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
            .replaceAll("\\$\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(bare);
    while (m.find()) {
      String word = m.group();
      boolean call = m.group(1) != null;
      int start = m.start();
      boolean partOfNumber = start > 0 && Character.isDigit(bare.charAt(start - 1));
      if (!call && !partOfNumber && !PROMQL_WORDS.contains(word)) {
        names.add(word);
      }
    }
    return names;
  }

  @Test
  void theExtractorFindsMetricsAndNothingElse() {
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le, upstream) (rate(a_bucket{x=\"y\",route=~\"$route\"}[$__rate_interval]))) / on (x) b_total * 1e3"))
        .containsExactly("a_bucket", "b_total");
  }

  @Test
  void everyExpressionUsesOnlyExposedMetrics() throws Exception {
    JsonNode dashboard = JSON.readTree(dashboardFile().toFile());
    assertThat(dashboard.path("title").asText()).isEqualTo("Portcullis");
    assertThat(dashboard.path("uid").asText()).isEqualTo("portcullis-gateway");
    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
    JsonNode datasource = dashboard.path("templating").path("list").get(0);
    assertThat(datasource.path("name").asText()).isEqualTo("datasource");
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");

    Map<String, String> expressions = new LinkedHashMap<>();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt())).as("unique panel id").isTrue();
      assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      String title = panel.path("title").asText();
      assertThat(panel.path("datasource").path("uid").asText())
          .as(title)
          .isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as(title).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
        expressions.put(title + " " + target.path("refId").asText(), target.path("expr").asText());
      }
    }
    assertThat(expressions).hasSizeGreaterThanOrEqualTo(15);

    Set<String> exposed = exposedMetricNames(dir.resolve("access.json"));
    Set<String> used = new TreeSet<>();
    expressions.forEach(
        (where, expr) -> {
          Set<String> names = metricNames(expr);
          assertThat(names).as("%s reads a metric: %s", where, expr).isNotEmpty();
          for (String name : names) {
            assertThat(exposed.contains(name))
                .as("%s: %s is not exposed by the gateway", where, name)
                .isTrue();
          }
          used.addAll(names);
        });
    assertThat(used)
        .contains(
            "portcullis_requests_total",
            "portcullis_request_duration_seconds_bucket",
            "portcullis_gateway_overhead_seconds_bucket",
            "portcullis_upstream_connections_open",
            "portcullis_upstream_connect_errors_total",
            "portcullis_upstream_timeouts_total",
            "portcullis_ratelimit_decisions_total",
            "portcullis_upstream_circuit_breaker_state",
            "portcullis_upstream_circuit_breaker_transitions_total",
            "portcullis_upstream_retries_total",
            "portcullis_upstream_health_checks_total",
            "portcullis_upstream_healthy",
            "portcullis_upstream_ejected",
            "portcullis_upstream_ejections_total",
            "portcullis_cache_requests_total",
            "portcullis_auth_attempts_total");
  }

  /** Sample names from a running gateway's {@code /metrics}, after traffic a policy limits. */
  private static Set<String> exposedMetricNames(Path accessLog) throws Exception {
    try (TestUpstream upstream = new TestUpstream()) {
      GatewayConfig base = TestGateways.oneWorker(upstream.uri());
      RateLimitsConfig limits =
          new RateLimitsConfig(
              null,
              RateLimitsConfig.DEFAULT_KEY_TYPE_LIMITS,
              List.of(
                  new RateLimitsConfig.Policy(
                      "per-ip",
                      List.of(RateLimitsConfig.KeyPart.CLIENT_IP),
                      RateLimitsConfig.Algorithm.TOKEN_BUCKET,
                      RateSpec.parse("1/hour"),
                      0,
                      RateLimitsConfig.Scope.LOCAL,
                      Set.of(),
                      Set.of())));
      GatewayConfig config =
          new GatewayConfig(base.server(), base.admin(), base.upstreams(), base.routes(), limits)
              .withAccessLog(new AccessLogConfig(true, AccessLogConfig.Destination.FILE, accessLog))
              .withCache(
                  new CacheConfig(
                      CacheConfig.DEFAULT_MAX_BYTES,
                      CacheConfig.DEFAULT_COALESCE_WAIT,
                      null,
                      CacheConfig.atlassianDefaults().stream()
                          .map(
                              p ->
                                  new CacheConfig.Policy(
                                      p.name(),
                                      "api",
                                      p.paths(),
                                      p.methods(),
                                      p.ttl(),
                                      true,
                                      p.share(),
                                      p.maxEntryBytes(),
                                      p.staleWhileRevalidate(),
                                      p.staleIfError(),
                                      p.invalidateParents()))
                          .toList()));
      try (Gateway gateway = Gateway.start(TestGateways.anonymous(config))) {
        try (RawHttp http = new RawHttp(gateway.address())) {
          http.send("GET /api/a HTTP/1.1\r\nHost: x\r\n\r\n");
          assertThat(http.read().status()).isEqualTo(200);
          http.send("GET /api/a HTTP/1.1\r\nHost: x\r\n\r\n");
          assertThat(http.read().status()).isEqualTo(429);
        }
        Scrapes.awaitNoneInFlight(gateway);
        Set<String> names = new TreeSet<>();
        for (String line : Scrapes.scrape(gateway, null).body().split("\n")) {
          if (!line.isEmpty() && !line.startsWith("#")) {
            names.add(line.split("[{ ]", 2)[0]);
          }
        }
        assertThat(names)
            .contains("portcullis_ratelimit_decisions_total", "portcullis_cache_requests_total");
        return names;
      }
    }
  }
}
