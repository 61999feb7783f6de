package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.core.net.Cidr;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-route edge policy and the response compression section, from YAML and env. */
class EdgeConfigBindingTest {
  private static final String SOURCE = "gw.yaml";

  private static GatewayConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    return new ConfigLoader(env).parse(yaml, SOURCE);
  }

  private static List<String> problems(String yaml) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).parse(yaml, SOURCE));
    assertThat(e).as("expected the configuration to be rejected").isNotNull();
    return e.problems();
  }

  @Test
  void aRoutesLimitsAndIpListsAreBound() throws Exception {
    GatewayConfig config =
        parse(
            """
            routes:
              - name: uploads
                match: {path_prefix: /rest/api/3/attachments}
                upstream: jira
                limits: {max_body_bytes: 100MiB, request_timeout: 10m}
                ip_allow: [10.0.0.0/8, "2001:db8::/32"]
                ip_deny: [10.6.6.6]
              - name: rest
                match: {path_prefix: /rest}
                upstream: jira
            """,
            Map.of());
    RouteEdgePolicy edge = config.routes().get(0).edge();
    assertThat(edge.maxBodyBytes(1)).isEqualTo(100L * 1024 * 1024);
    assertThat(edge.requestTimeout(Duration.ZERO)).isEqualTo(Duration.ofMinutes(10));
    assertThat(edge.ipAllow())
        .containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"));
    assertThat(edge.ipDeny()).containsExactly(Cidr.parse("10.6.6.6"));
    assertThat(config.routes().get(1).edge()).isSameAs(RouteEdgePolicy.INHERIT);
    assertThat(config.routes().get(1).edge().maxBodyBytes(42)).isEqualTo(42);
  }

  @Test
  void aRoutesLimitsCanBeSetFromTheEnvironment() throws Exception {
    GatewayConfig config =
        parse(
            "routes: [{name: a, match: {path: /a}, upstream: jira}]\n",
            Map.of(
                "PORTCULLIS_ROUTES_0_LIMITS_MAX_BODY_BYTES", "0",
                "PORTCULLIS_ROUTES_0_LIMITS_REQUEST_TIMEOUT", "0s",
                "PORTCULLIS_ROUTES_0_IP_DENY", "192.0.2.0/24,::1"));
    RouteEdgePolicy edge = config.routes().get(0).edge();
    assertThat(edge.maxBodyBytes(10)).isZero();
    assertThat(edge.requestTimeout(Duration.ofMinutes(5))).isZero();
    assertThat(edge.ipDeny()).containsExactly(Cidr.parse("192.0.2.0/24"), Cidr.parse("::1"));
  }

  @Test
  void badRouteLimitsAreReportedWithTheirKeys() {
    assertThat(
            problems(
                """
                routes:
                  - name: a
                    match: {path: /a}
                    upstream: jira
                    limits: {max_body_bytes: lots, request_timeout: -1s, max_headers: 3}
                    ip_allow: [10.0.0.0/33]
                """))
        .anySatisfy(
            p -> assertThat(p).startsWith("gw.yaml: routes[0].limits.max_body_bytes: 'lots'"))
        .anySatisfy(
            p -> assertThat(p).startsWith("gw.yaml: routes[0].limits.request_timeout: '-1s'"))
        .anySatisfy(p -> assertThat(p).contains("routes[0].limits.max_headers"))
        .anySatisfy(p -> assertThat(p).contains("routes[0].ip_allow[0]"));
  }

  @Test
  void compressionDefaultsAreOnWithBrotliThenGzipAboveOneKibibyte() throws Exception {
    CompressionConfig compression = parse("", Map.of()).server().compression();
    assertThat(compression).isEqualTo(CompressionConfig.DEFAULTS);
    assertThat(compression.enabled()).isTrue();
    assertThat(compression.minSizeBytes()).isEqualTo(1024);
    assertThat(compression.algorithms()).containsExactly("br", "gzip");
    assertThat(compression.contentTypes()).contains("text/*", "application/json", "*/*+json");
  }

  @Test
  void compressionIsBound() throws Exception {
    CompressionConfig compression =
        parse(
                """
                server:
                  compression:
                    min_size: 4KiB
                    content_types: [text/html, "application/*+json"]
                    algorithms: [gzip, deflate]
                    levels: {gzip: 1, deflate: 9, br: 11}
                """,
                Map.of("PORTCULLIS_SERVER_COMPRESSION_ENABLED", "false"))
            .server()
            .compression();
    assertThat(compression)
        .isEqualTo(
            new CompressionConfig(
                false,
                4096,
                List.of("text/html", "application/*+json"),
                List.of("gzip", "deflate"),
                1,
                9,
                11));
  }

  @Test
  void badCompressionValuesAreReportedWithTheirKeys() {
    assertThat(
            problems(
                """
                server:
                  compression:
                    algorithms: [gzip, zstd]
                    levels: {gzip: 10}
                """))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "gw.yaml: server.compression.algorithms[1]: 'zstd' (expected: br, gzip or deflate)"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo("gw.yaml: server.compression.levels.gzip: 10 (expected: 1..9)"));
    assertThat(problems("server: {compression: {content_types: [json]}}\n"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "gw.yaml: server.compression.content_types[0]: 'json' (expected: a media type such as text/*, application/json or */*+json)"));
  }
}
