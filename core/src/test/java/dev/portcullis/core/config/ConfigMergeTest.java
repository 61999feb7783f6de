package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How defaults, the file and the environment combine. */
class ConfigMergeTest {
  private static final String SOURCE = "gateway.yaml";

  private static GatewayConfig parse(String yaml) throws ConfigException {
    return parse(yaml, Map.of());
  }

  private static GatewayConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    return new ConfigLoader(env).parse(yaml, SOURCE);
  }

  @Test
  void noFileAnEmptyFileAndACommentOnlyFileAreTheBuiltInDefaults(@TempDir Path dir)
      throws Exception {
    Path empty = dir.resolve("empty.yaml");
    Files.writeString(empty, "");
    Path comments = dir.resolve("comments.yaml");
    Files.writeString(comments, "# nothing configured yet\n\n");
    ConfigLoader loader = new ConfigLoader(Map.of("PATH", "/usr/bin"));

    assertThat(loader.load(null)).isEqualTo(GatewayConfig.defaults());
    assertThat(loader.load(empty)).isEqualTo(GatewayConfig.defaults());
    assertThat(loader.load(comments)).isEqualTo(GatewayConfig.defaults());
    assertThat(loader.load(null).server().port()).isEqualTo(8080);
    assertThat(loader.load(null).upstreams().get("jira").targets())
        .containsExactly(URI.create("http://127.0.0.1:2990"));
  }

  @Test
  void aSectionWithNoValueKeepsItsDefaults() throws Exception {
    GatewayConfig config = parse("server:\nupstreams:\nroutes:\n");
    assertThat(config).isEqualTo(GatewayConfig.defaults());
    assertThat(parse("upstreams:\n  jira:\n").upstreams())
        .isEqualTo(GatewayConfig.defaultUpstreams());
  }

  @Test
  void upstreamsMergeByNameIntoTheDefaults() throws Exception {
    GatewayConfig config =
        parse(
            """
            upstreams:
              jira: {max_connections_per_target: 8}
              billing: {targets: [http://10.0.0.9:8080]}
            """);
    assertThat(config.upstreams()).containsOnlyKeys("jira", "confluence", "billing");
    UpstreamConfig jira = config.upstreams().get("jira");
    assertThat(jira.maxConnectionsPerTarget()).isEqualTo(8);
    assertThat(jira.targets()).containsExactly(URI.create("http://127.0.0.1:2990"));
    assertThat(jira.connectTimeout()).isEqualTo(UpstreamConfig.DEFAULT_CONNECT_TIMEOUT);
    assertThat(config.upstreams().get("confluence"))
        .isEqualTo(GatewayConfig.defaultUpstreams().get("confluence"));
    assertThat(config.upstreams().get("billing"))
        .isEqualTo(
            UpstreamConfig.withDefaults("billing", List.of(URI.create("http://10.0.0.9:8080"))));
    assertThat(config.routes()).isEqualTo(GatewayConfig.defaultRoutes());
  }

  @Test
  void routesInTheFileReplaceTheDefaults() throws Exception {
    GatewayConfig config =
        parse(
            """
            routes:
              - name: jira-everything
                match: {path_prefix: /jira}
                upstream: jira
                strip_prefix: /jira
            """);
    assertThat(config.routes())
        .containsExactly(
            new RouteConfig(
                "jira-everything", null, "/jira", null, List.of(), "jira", "/jira", null, null));
    assertThat(parse("routes: []\n").routes()).isEmpty();
  }

  @Test
  void theEnvironmentWinsOverTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(
        file,
        """
        server: {port: 8000, limits: {idle_timeout: 5m}}
        upstreams:
          jira: {targets: [http://10.0.0.1:8080], max_connections_per_target: 4}
        """);
    GatewayConfig config =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_SERVER_PORT", "8081",
                    "PORTCULLIS_SERVER_LIMITS_IDLE_TIMEOUT", "30s",
                    "PORTCULLIS_UPSTREAMS_JIRA_TARGETS",
                        "http://10.0.0.5:8080, http://10.0.0.6:8080",
                    "PORTCULLIS_UPSTREAMS_JIRA_MAX_CONNECTIONS_PER_TARGET", "64",
                    "PORTCULLIS_SERVER_TRUSTED_PROXIES", "10.0.0.0/8,2001:db8::/32"))
            .load(file);
    assertThat(config.server().port()).isEqualTo(8081);
    assertThat(config.server().limits().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.server().trustedProxies())
        .extracting(Object::toString)
        .containsExactly("10.0.0.0/8", "2001:db8::/32");
    UpstreamConfig jira = config.upstreams().get("jira");
    assertThat(jira.targets())
        .containsExactly(URI.create("http://10.0.0.5:8080"), URI.create("http://10.0.0.6:8080"));
    assertThat(jira.maxConnectionsPerTarget()).isEqualTo(64);
  }

  @Test
  void aListIndexAddressesOneRoute() throws Exception {
    GatewayConfig config =
        parse(
            """
            routes:
              - {name: a, upstream: jira, match: {path: /a/**}}
              - {name: b, upstream: jira, match: {path: /b/**}}
            """,
            Map.of(
                "PORTCULLIS_ROUTES_1_UPSTREAM", "confluence",
                "PORTCULLIS_ROUTES_1_RESPONSE_TIMEOUT", "10s",
                "PORTCULLIS_ROUTES_0_MATCH_METHODS", "GET,HEAD"));
    assertThat(config.routes().get(0).upstream()).isEqualTo("jira");
    assertThat(config.routes().get(0).methods()).containsExactly("GET", "HEAD");
    assertThat(config.routes().get(1).upstream()).isEqualTo("confluence");
    assertThat(config.routes().get(1).responseTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aListIndexAlsoAddressesTheDefaultRoutes() throws Exception {
    assertThat(parse("", Map.of("PORTCULLIS_ROUTES_3_UPSTREAM", "jira")).routes().get(3))
        .isEqualTo(RouteConfig.glob("confluence", "/wiki/**", "jira"));
  }

  @Test
  void theEnvironmentCreatesAnUpstreamAndAddressesDashedNamesWithUnderscores() throws Exception {
    GatewayConfig config =
        parse(
            "upstreams: {billing-api: {targets: [http://10.0.0.8:8080]}}\n",
            Map.of(
                "PORTCULLIS_UPSTREAMS_BILLING_API_IDLE_TIMEOUT", "90s",
                "PORTCULLIS_UPSTREAMS_REPORTS_TARGETS", "https://10.0.0.9",
                "PORTCULLIS_UPSTREAMS_HR_PORTAL_TARGETS", "http://10.0.1.1:80"));
    assertThat(config.upstreams()).containsKeys("billing-api", "reports", "hr_portal");
    assertThat(config.upstreams().get("billing-api").idleTimeout())
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(config.upstreams().get("billing-api").targets())
        .containsExactly(URI.create("http://10.0.0.8:8080"));
    assertThat(config.upstreams().get("reports").targets())
        .containsExactly(URI.create("https://10.0.0.9"));
    assertThat(config.upstreams().get("hr_portal").targets())
        .containsExactly(URI.create("http://10.0.1.1:80"));
  }

  @Test
  void anEnvironmentCreatedUpstreamCanBeRoutedTo() throws Exception {
    GatewayConfig config =
        parse(
            "",
            Map.of(
                "PORTCULLIS_UPSTREAMS_BILLING_TARGETS", "http://10.0.0.9:8080",
                "PORTCULLIS_ROUTES_0_UPSTREAM", "billing"));
    assertThat(config.routes().get(0).upstream()).isEqualTo("billing");
  }
}
