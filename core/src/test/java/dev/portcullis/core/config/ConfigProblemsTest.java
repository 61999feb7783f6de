package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per kind of problem, each asserting the exact line an operator would read. */
class ConfigProblemsTest {
  private static final String SOURCE = "gateway.yaml";
  private static final String URL_EXPECTED =
      " (expected: an absolute http:// or https:// URL such as http://10.0.0.5:8080)";
  private static final String DURATION_EXPECTED =
      " (expected: a duration such as 250ms, 5s, 1m, 2h, 1d or PT5S)";

  private static List<String> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  private static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(env).parse(yaml, SOURCE));
    assertThat(e).as("expected the configuration to be rejected").isNotNull();
    assertThat(e.getMessage()).isEqualTo(String.join(System.lineSeparator(), e.problems()));
    return e.problems();
  }

  private static List<String> loadProblems(Path file) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(Map.of()).load(file));
    assertThat(e).as("expected the file to be rejected").isNotNull();
    return e.problems();
  }

  @Test
  void unknownKeysAtEveryLevelListTheAllowedKeys() {
    assertThat(
            problems(
                """
                servers: {}
                server: {limits: {max_bodies: 1}}
                upstreams: {jira: {timeout: 1s}}
                routes:
                  - {name: a, upstream: jira, match: {path: /a, query: x}}
                """))
        .containsExactly(
            // The root list grows with every new section, so it is read from the schema.
            "gateway.yaml: servers: unknown key (expected one of: "
                + String.join(", ", ConfigSchema.ROOT.fields.keySet())
                + ")",
            "gateway.yaml: server.limits.max_bodies: unknown key (expected one of:"
                + " max_initial_line_bytes, max_header_bytes, idle_timeout, max_headers,"
                + " max_body_bytes, max_connections, request_headers_timeout, request_timeout)",
            "gateway.yaml: upstreams.jira.timeout: unknown key (expected one of: targets,"
                + " connect_timeout, response_timeout, max_connections_per_target,"
                + " max_pending_requests, idle_timeout, load_balancing, preserve_host,"
                + " request_headers, circuit_breaker, health_check, outlier_detection, retry, tls)",
            "gateway.yaml: routes[0].match.query: unknown key (expected one of: path, path_prefix,"
                + " host, methods)");
  }

  @Test
  void aMappingWhereAListIsExpectedAndTextWhereANumberIs() {
    assertThat(problems("routes: {name: a}\nserver: {worker_threads: many}\n"))
        .containsExactly(
            "gateway.yaml: server.worker_threads: 'many' (expected: an integer)",
            "gateway.yaml: routes: a mapping (expected: a list of routes)");
  }

  @Test
  void aListWhereASingleValueIsExpected() {
    assertThat(problems("admin: {address: [127.0.0.1, '::1']}\n"))
        .containsExactly("gateway.yaml: admin.address: a list (expected: a single value)");
  }

  @Test
  void portsOutsideTheRange() {
    assertThat(problems("server: {port: 70000}\n"))
        .containsExactly("gateway.yaml: server.port: 70000 (expected: 0..65535)");
    assertThat(problems("", Map.of("PORTCULLIS_ADMIN_PORT", "65536")))
        .containsExactly(
            "environment PORTCULLIS_ADMIN_PORT: admin.port: 65536 (expected: 0..65535)");
  }

  @Test
  void portZeroMeansAnyFreePort() throws Exception {
    GatewayConfig config = new ConfigLoader(Map.of()).parse("server: {port: 0}\n", SOURCE);
    assertThat(config.server().port()).isZero();
  }

  @Test
  void aRouteNamingAnUnknownUpstreamListsTheConfiguredOnes() {
    assertThat(
            problems(
                """
                upstreams: {billing: {targets: [http://10.0.0.9:8080]}}
                routes: [{name: pay, upstream: payments, match: {path_prefix: /pay}}]
                """))
        .containsExactly(
            "gateway.yaml: routes[0].upstream: 'payments' (expected: one of the configured"
                + " upstreams [jira, confluence, billing])");
  }

  @Test
  void malformedTargetUrl() {
    assertThat(problems("upstreams: {jira: {targets: ['htp:/x']}}\n"))
        .containsExactly("gateway.yaml: upstreams.jira.targets[0]: 'htp:/x'" + URL_EXPECTED);
  }

  @Test
  void targetUrlsWithAPortOutOfRangeOrAFragment() {
    assertThat(
            problems(
                "upstreams: {jira: {targets: ['http://h:65536', 'http://h:0', 'https://h/#x']}}\n"))
        .containsExactly(
            "gateway.yaml: upstreams.jira.targets[0]: 'http://h:65536'" + URL_EXPECTED,
            "gateway.yaml: upstreams.jira.targets[1]: 'http://h:0'" + URL_EXPECTED,
            "gateway.yaml: upstreams.jira.targets[2]: 'https://h/#x'" + URL_EXPECTED);
  }

  @Test
  void aNewUpstreamWithoutTargets() {
    assertThat(problems("upstreams: {billing: {load_balancing: least_request}}\n"))
        .containsExactly(
            "gateway.yaml: upstreams.billing.targets: missing (expected: a list of target URLs"
                + " such as http://10.0.0.5:8080)");
  }

  @Test
  void aRouteWithoutNameUpstreamOrMatch() {
    assertThat(problems("routes:\n  - strip_prefix: /x\n"))
        .containsExactly(
            "gateway.yaml: routes[0].name: missing (expected: a value)",
            "gateway.yaml: routes[0].upstream: missing (expected: a value)",
            "gateway.yaml: routes[0].match: missing (expected: a mapping with path or"
                + " path_prefix)");
  }

  @Test
  void bothPathAndPathPrefix() {
    assertThat(problems("routes: [{name: a, upstream: jira, match: {path: /a, path_prefix: /a}}]"))
        .containsExactly(
            "gateway.yaml: routes[0].match: both of path and path_prefix (expected: exactly one)");
  }

  @Test
  void neitherPathNorPathPrefix() {
    assertThat(problems("routes: [{name: a, upstream: jira, match: {methods: [GET]}}]"))
        .containsExactly(
            "gateway.yaml: routes[0].match: neither of path and path_prefix (expected: exactly"
                + " one)");
  }

  @Test
  void routePatternsStartWithASlash() {
    assertThat(problems("routes: [{name: a, upstream: jira, match: {path_prefix: rest}}]"))
        .containsExactly(
            "gateway.yaml: routes[0].match.path_prefix: 'rest' (expected: a path starting with /)");
  }

  @Test
  void duplicateRouteNames() {
    assertThat(
            problems(
                """
                routes:
                  - {name: jira, upstream: jira, match: {path: /rest/**}}
                  - {name: wiki, upstream: confluence, match: {path: /wiki/**}}
                  - {name: jira, upstream: jira, match: {path: /jira/**}}
                """))
        .containsExactly(
            "gateway.yaml: routes[2].name: 'jira' is used by an earlier route (expected: unique"
                + " route names)");
  }

  @Test
  void aBareNumberIsNotADuration() {
    assertThat(problems("server: {drain_timeout: 30}\n"))
        .containsExactly("gateway.yaml: server.drain_timeout: '30'" + DURATION_EXPECTED);
  }

  @Test
  void badDurations() {
    assertThat(
            problems(
                """
                upstreams:
                  jira: {connect_timeout: 5 sec, idle_timeout: 0s, response_timeout: 99999999999999999999d}
                """))
        .containsExactly(
            "gateway.yaml: upstreams.jira.connect_timeout: '5 sec'" + DURATION_EXPECTED,
            "gateway.yaml: upstreams.jira.response_timeout: '99999999999999999999d'"
                + DURATION_EXPECTED,
            "gateway.yaml: upstreams.jira.idle_timeout: '0s' (expected: a duration > 0)");
  }

  @Test
  void everyDurationFormIsAccepted() throws Exception {
    GatewayConfig config =
        new ConfigLoader(Map.of())
            .parse(
                "upstreams: {jira: {connect_timeout: 250ms, response_timeout: PT5S,"
                    + " idle_timeout: 1d}}\nserver: {drain_timeout: 2h, limits: {idle_timeout:"
                    + " 1m}}\n",
                SOURCE);
    UpstreamConfig jira = config.upstreams().get("jira");
    assertThat(jira.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(jira.responseTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(jira.idleTimeout()).isEqualTo(Duration.ofDays(1));
    assertThat(config.server().drainTimeout()).isEqualTo(Duration.ofHours(2));
    assertThat(config.server().limits().idleTimeout()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void badSizes() {
    assertThat(
            problems(
                "server: {limits: {max_initial_line_bytes: 8kb, max_header_bytes:"
                    + " 99999999999999999999999}}\n"))
        .containsExactly(
            "gateway.yaml: server.limits.max_initial_line_bytes: '8kb' (expected: a size such as"
                + " 8192, 64KiB, 10MiB or 1GiB)",
            "gateway.yaml: server.limits.max_header_bytes: '99999999999999999999999' (expected: a"
                + " size from 1 byte to 2GiB)");
  }

  @Test
  void binaryAndDecimalSizeUnits() throws Exception {
    ServerLimits limits =
        new ConfigLoader(Map.of())
            .parse(
                "server: {limits: {max_initial_line_bytes: 4KB, max_header_bytes: 1MiB}}\n", SOURCE)
            .server()
            .limits();
    assertThat(limits.maxInitialLineBytes()).isEqualTo(4000);
    assertThat(limits.maxHeaderBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void badCidr() {
    assertThat(problems("server: {trusted_proxies: [10.0.0.0/8, 10.0.0.0/33]}\n"))
        .containsExactly(
            "gateway.yaml: server.trusted_proxies[1]: '10.0.0.0/33' (expected: a prefix length"
                + " from 0 to 32)");
  }

  @Test
  void badMethod() {
    assertThat(
            problems(
                "routes: [{name: a, upstream: jira, match: {path: /a, methods: [GET, 'P T']}}]"))
        .containsExactly(
            "gateway.yaml: routes[0].match.methods[1]: 'P T' (expected: an upper-case HTTP method"
                + " such as GET)");
  }

  @Test
  void badLoadBalancing() {
    assertThat(problems("upstreams: {confluence: {load_balancing: LEAST_REQUEST}}\n"))
        .containsExactly(
            "gateway.yaml: upstreams.confluence.load_balancing: 'LEAST_REQUEST' (expected:"
                + " round_robin or least_request)");
  }

  @Test
  void booleansAreTrueOrFalseOnly() {
    // YAML 1.1 would read yes/on/True as booleans; the schema says true or false.
    assertThat(problems("upstreams: {jira: {preserve_host: yes}, confluence: {preserve_host: On}}"))
        .containsExactly(
            "gateway.yaml: upstreams.jira.preserve_host: 'yes' (expected: true or false)",
            "gateway.yaml: upstreams.confluence.preserve_host: 'On' (expected: true or false)");
  }

  @Test
  void yamlSyntaxErrorNamesLineAndColumnOnOneLine() {
    assertThat(problems("server:\n  port: [8080\n"))
        .containsExactly(
            "gateway.yaml: invalid YAML at line 2, column 14: while parsing a flow sequence,"
                + " expected ',' or ']', but got <stream end>");
    assertThat(problems("server:\n  address: 0.0.0.0\n   port: 1\n"))
        .containsExactly(
            "gateway.yaml: invalid YAML at line 3, column 8: mapping values are not allowed here");
  }

  @Test
  void duplicateYamlKeys() {
    assertThat(problems("upstreams:\n  jira:\n    targets: [http://a]\n    targets: [http://b]\n"))
        .containsExactly(
            "gateway.yaml: invalid YAML at line 4, column 12: Duplicate field 'targets'");
  }

  @Test
  void aSecondDocumentIsRejected() {
    assertThat(problems("server: {port: 1}\n---\nserver: {port: 2}\n"))
        .containsExactly(
            "gateway.yaml: invalid YAML at line 3, column 1: a second document (expected: only"
                + " one)");
  }

  @Test
  void aliasesAreRejectedRatherThanReadAsTheirName() {
    assertThat(problems("server: {port: &p 8081}\nadmin: {port: *p}\n"))
        .containsExactly(
            "gateway.yaml: invalid YAML at line 2, column 15: alias *p (expected: the value"
                + " written out; anchors and aliases are not supported)");
  }

  @Test
  void fileNotFoundNamesTheFile(@TempDir Path dir) {
    Path file = dir.resolve("gateway.yaml");
    assertThat(loadProblems(file))
        .containsExactly(file + ": cannot read the configuration file (no such file)");
  }

  @Test
  void unreadableFileNamesTheFile(@TempDir Path dir) throws Exception {
    assertThat(loadProblems(dir))
        .containsExactly(dir + ": cannot read the configuration file (Is a directory)");
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
    assertThat(loadProblems(latin1))
        .containsExactly(latin1 + ": cannot read the configuration file (not UTF-8 text)");
  }

  @Test
  void problemsInAFileNameTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gw.yaml");
    Files.writeString(file, "admin:\n  port: http\n");
    assertThat(loadProblems(file))
        .containsExactly(file + ": admin.port: 'http' (expected: an integer)");
  }

  @Test
  void secretEnvironmentVariableNotSet() {
    assertThat(problems("upstreams: {jira: {request_headers: {X-Gateway-Secret: '${GW_SECRET}'}}}"))
        .containsExactly(
            "gateway.yaml: upstreams.jira.request_headers.X-Gateway-Secret: environment variable"
                + " GW_SECRET is not set");
  }

  @Test
  void secretFileMissing(@TempDir Path dir) {
    Path missing = dir.resolve("secret.txt");
    assertThat(
            problems(
                "upstreams: {jira: {request_headers: {X-Gateway-Secret: 'file:" + missing + "'}}}"))
        .containsExactly(
            "gateway.yaml: upstreams.jira.request_headers.X-Gateway-Secret: secret file "
                + missing
                + " cannot be read (NoSuchFileException)");
  }

  @Test
  void unknownEnvironmentVariablesAreNamedAndReservedOnesIgnored() {
    assertThat(
            problems(
                "",
                Map.of(
                    "PORTCULLIS_SERVER_PORTS", "1",
                    "PORTCULLIS_UPSTREAMS_JIRA", "http://a",
                    "PORTCULLIS_ROUTES_-1_NAME", "x",
                    "PORTCULLIS_CONFIG", "/etc/portcullis.yaml",
                    "PORTCULLIS_JAVA_OPTS", "-Xmx1g",
                    "PORTCULLIS_HOME", "/opt/portcullis")))
        .containsExactly(
            "environment PORTCULLIS_ROUTES_-1_NAME: unknown configuration key (see the"
                + " configuration reference in README.md)",
            "environment PORTCULLIS_SERVER_PORTS: unknown configuration key (see the"
                + " configuration reference in README.md)",
            "environment PORTCULLIS_UPSTREAMS_JIRA: unknown configuration key (see the"
                + " configuration reference in README.md)");
  }

  @Test
  void problemsFromEnvironmentValuesNameTheVariable() {
    assertThat(
            problems(
                "",
                Map.of(
                    "PORTCULLIS_SERVER_PORT", "abc",
                    "PORTCULLIS_SERVER_LIMITS_IDLE_TIMEOUT", "30",
                    "PORTCULLIS_UPSTREAMS_JIRA_TARGETS", "http://10.0.0.5:8080,htp:/x")))
        .containsExactlyInAnyOrder(
            "environment PORTCULLIS_SERVER_PORT: server.port: 'abc' (expected: an integer)",
            "environment PORTCULLIS_SERVER_LIMITS_IDLE_TIMEOUT: server.limits.idle_timeout: '30'"
                + DURATION_EXPECTED,
            "environment PORTCULLIS_UPSTREAMS_JIRA_TARGETS: upstreams.jira.targets[1]: 'htp:/x'"
                + URL_EXPECTED);
  }

  @Test
  void everyProblemFromFileAndEnvironmentIsReportedTogether() {
    assertThat(
            problems(
                """
                server: {port: 70000, drain_timeout: soon}
                admin: {prot: 9090}
                routes: [{name: a, upstream: nowhere, match: {path: /a}}]
                """,
                Map.of("PORTCULLIS_UPSTREAMS_JIRA_LOAD_BALANCING", "random")))
        .containsExactly(
            "gateway.yaml: admin.prot: unknown key (expected one of: address, port)",
            "gateway.yaml: server.port: 70000 (expected: 0..65535)",
            "gateway.yaml: server.drain_timeout: 'soon'" + DURATION_EXPECTED,
            "environment PORTCULLIS_UPSTREAMS_JIRA_LOAD_BALANCING: upstreams.jira.load_balancing:"
                + " 'random' (expected: round_robin or least_request)",
            "gateway.yaml: routes[0].upstream: 'nowhere' (expected: one of the configured"
                + " upstreams [jira, confluence])");
  }
}
