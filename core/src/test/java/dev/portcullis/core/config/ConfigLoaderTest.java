package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String SOURCE = "gw.yaml";

  private static GatewayConfig parse(String yaml) throws ConfigException {
    return new ConfigLoader(Map.of()).parse(yaml, SOURCE);
  }

  private static List<String> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  private static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(env).parse(yaml, SOURCE));
    assertThat(e).as("expected the configuration to be rejected").isNotNull();
    return e.problems();
  }

  @Test
  void noFileMeansTheBuiltInDefaults() throws Exception {
    GatewayConfig config = new ConfigLoader(Map.of()).load(null);
    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.server().address()).isEqualTo("0.0.0.0");
    assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 9090));
    assertThat(config.upstreams()).containsOnlyKeys("jira", "confluence");
    assertThat(config.routes())
        .extracting(RouteConfig::path)
        .containsExactly("/rest/api/**", "/rest/agile/**", "/rest/servicedeskapi/**", "/wiki/**");
  }

  @Test
  void aFullFileIsBound() throws Exception {
    GatewayConfig config =
        parse(
            """
            server:
              address: 127.0.0.1
              port: 8443
              worker_threads: 4
              transport: epoll
              drain_timeout: 10s
              trusted_proxies: [10.0.0.0/8, "2001:db8::/32"]
              limits: {max_initial_line_bytes: 4KiB, max_header_bytes: 32768, idle_timeout: 2m}
            admin: {address: 0.0.0.0, port: 9191}
            upstreams:
              jira:
                targets: [http://10.0.0.5:8080, "https://jira.internal"]
                connect_timeout: 250ms
                response_timeout: PT45S
                max_connections_per_target: 64
                max_pending_requests: 10
                idle_timeout: 1h
                load_balancing: least_request
                preserve_host: true
            routes:
              - name: reads
                match: {path_prefix: /rest, host: jira.example.com, methods: [GET, HEAD]}
                upstream: jira
                strip_prefix: /rest
                add_prefix: /jira/rest
                response_timeout: 5s
            """);
    assertThat(config.server().port()).isEqualTo(8443);
    assertThat(config.server().workerThreads()).isEqualTo(4);
    assertThat(config.server().transport()).isEqualTo(SocketTransport.EPOLL);
    assertThat(config.server().drainTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.server().trustedProxies())
        .extracting(Object::toString)
        .containsExactly("10.0.0.0/8", "2001:db8::/32");
    assertThat(config.server().limits())
        .isEqualTo(new ServerLimits(4096, 32768, Duration.ofMinutes(2)));
    assertThat(config.admin()).isEqualTo(new AdminConfig("0.0.0.0", 9191));
    UpstreamConfig jira = config.upstreams().get("jira");
    assertThat(jira.targets())
        .containsExactly(URI.create("http://10.0.0.5:8080"), URI.create("https://jira.internal"));
    assertThat(jira.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(jira.responseTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(jira.maxConnectionsPerTarget()).isEqualTo(64);
    assertThat(jira.maxPendingRequests()).isEqualTo(10);
    assertThat(jira.idleTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(jira.loadBalancing()).isEqualTo(LoadBalancing.LEAST_REQUEST);
    assertThat(jira.preserveHost()).isTrue();
    assertThat(config.upstreams()).containsKey("confluence"); // merged with the defaults
    assertThat(config.routes())
        .containsExactly(
            new RouteConfig(
                "reads",
                null,
                "/rest",
                "jira.example.com",
                List.of("GET", "HEAD"),
                "jira",
                "/rest",
                "/jira/rest",
                Duration.ofSeconds(5)));
  }

  @Test
  void unknownKeyNamesTheAllowedOnes() {
    assertThat(problems("server:\n  prot: 8080\n"))
        .containsExactly(
            "gw.yaml: server.prot: unknown key (expected one of: address, port, worker_threads, transport, drain_timeout, trusted_proxies, limits, security, tls, http2, compression)");
  }

  @Test
  void wrongTypes() {
    assertThat(problems("server:\n  port: abc\n"))
        .containsExactly("gw.yaml: server.port: 'abc' (expected: an integer)");
    assertThat(problems("upstreams:\n  jira:\n    targets: {a: b}\n"))
        .containsExactly("gw.yaml: upstreams.jira.targets: a mapping (expected: a list)");
    assertThat(problems("server: [1, 2]\n"))
        .containsExactly("gw.yaml: server: a list (expected: a mapping)");
    assertThat(problems("upstreams:\n  jira:\n    preserve_host: yes-please\n"))
        .containsExactly(
            "gw.yaml: upstreams.jira.preserve_host: 'yes-please' (expected: true or false)");
  }

  @Test
  void portOutOfRange() {
    assertThat(problems("server:\n  port: 70000\nadmin:\n  port: -1\n"))
        .containsExactly(
            "gw.yaml: server.port: 70000 (expected: 0..65535)",
            "gw.yaml: admin.port: -1 (expected: 0..65535)");
  }

  @Test
  void routeNamingAnUnknownUpstream() {
    assertThat(problems("routes:\n  - name: r\n    match: {path: /x/**}\n    upstream: billing\n"))
        .containsExactly(
            "gw.yaml: routes[0].upstream: 'billing' (expected: one of the configured upstreams [jira, confluence])");
  }

  @Test
  void malformedTargetUrls() {
    assertThat(
            problems(
                "upstreams:\n  jira:\n    targets: ['htp:/x', 'http://h:80/path', 'http://user:pw@h', 'http://h?x=1']\n"))
        .containsExactly(
            "gw.yaml: upstreams.jira.targets[0]: 'htp:/x' (expected: an absolute http:// or https:// URL such as http://10.0.0.5:8080)",
            "gw.yaml: upstreams.jira.targets[1]: 'http://h:80/path' (expected: an absolute http:// or https:// URL such as http://10.0.0.5:8080)",
            "gw.yaml: upstreams.jira.targets[2]: 'http://user:pw@h' (expected: an absolute http:// or https:// URL such as http://10.0.0.5:8080)",
            "gw.yaml: upstreams.jira.targets[3]: 'http://h?x=1' (expected: an absolute http:// or https:// URL such as http://10.0.0.5:8080)");
  }

  @Test
  void missingRequiredKeys() {
    assertThat(
            problems(
                "upstreams:\n  billing:\n    connect_timeout: 1s\nroutes:\n  - match: {path: /x}\n"))
        .containsExactly(
            "gw.yaml: upstreams.billing.targets: missing (expected: a list of target URLs such as http://10.0.0.5:8080)",
            "gw.yaml: routes[0].name: missing (expected: a value)",
            "gw.yaml: routes[0].upstream: missing (expected: a value)");
  }

  @Test
  void pathAndPathPrefixAreExclusive() {
    assertThat(
            problems(
                "routes:\n  - {name: a, upstream: jira, match: {path: /a, path_prefix: /a}}\n  - {name: b, upstream: jira, match: {host: h}}\n"))
        .containsExactly(
            "gw.yaml: routes[0].match: both of path and path_prefix (expected: exactly one)",
            "gw.yaml: routes[1].match: neither of path and path_prefix (expected: exactly one)");
  }

  @Test
  void duplicateRouteNames() {
    assertThat(
            problems(
                "routes:\n  - {name: a, upstream: jira, match: {path: /a}}\n  - {name: a, upstream: jira, match: {path: /b}}\n"))
        .containsExactly(
            "gw.yaml: routes[1].name: 'a' is used by an earlier route (expected: unique route names)");
  }

  @Test
  void badDurationSizeCidrMethodAndBalancing() {
    assertThat(
            problems(
                """
                server:
                  drain_timeout: 30
                  trusted_proxies: [lb.example.com]
                  limits: {max_header_bytes: 60 kilobytes}
                upstreams:
                  jira: {load_balancing: random}
                routes:
                  - {name: a, upstream: jira, match: {path: /a, methods: [get]}}
                """))
        .containsExactly(
            "gw.yaml: server.drain_timeout: '30' (expected: a duration such as 250ms, 5s, 1m, 2h, 1d or PT5S)",
            "gw.yaml: server.trusted_proxies[0]: 'lb.example.com' (expected: an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32)",
            "gw.yaml: server.limits.max_header_bytes: '60 kilobytes' (expected: a size such as 8192, 64KiB, 10MiB or 1GiB)",
            "gw.yaml: upstreams.jira.load_balancing: 'random' (expected: round_robin or least_request)",
            "gw.yaml: routes[0].match.methods[0]: 'get' (expected: an upper-case HTTP method such as GET)");
  }

  @Test
  void yamlSyntaxErrorsNameLineAndColumn() {
    List<String> lines = problems("server:\n  port: [8080\n");
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("gw.yaml: invalid YAML at line ");
  }

  @Test
  void duplicateYamlKeysAreRejected() {
    List<String> lines = problems("server:\n  port: 1\n  port: 2\n");
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("gw.yaml: invalid YAML").contains("Duplicate field 'port'");
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": cannot read the configuration file (no such file)");
  }

  @Test
  void everyProblemIsReportedNotOnlyTheFirst() {
    assertThat(
            problems("server: {port: 99999, worker_threads: x}\nadmin: {port: 99999}\nextra: 1\n"))
        .hasSize(4);
  }

  @Test
  void environmentOverridesWinOverTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gw.yaml");
    Files.writeString(
        file, "server:\n  port: 8000\nupstreams:\n  jira:\n    max_connections_per_target: 4\n");
    GatewayConfig config =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_SERVER_PORT", "8081",
                    "PORTCULLIS_SERVER_LIMITS_IDLE_TIMEOUT", "30s",
                    "PORTCULLIS_UPSTREAMS_JIRA_TARGETS",
                        "http://10.0.0.5:8080, http://10.0.0.6:8080",
                    "PORTCULLIS_UPSTREAMS_JIRA_MAX_CONNECTIONS_PER_TARGET", "64",
                    "PORTCULLIS_UPSTREAMS_BILLING_TARGETS", "http://10.9.0.1:80",
                    "PORTCULLIS_ROUTES_0_UPSTREAM", "billing",
                    "PORTCULLIS_CONFIG", "ignored: reserved",
                    "PATH", "/usr/bin"))
            .load(file);
    assertThat(config.server().port()).isEqualTo(8081);
    assertThat(config.server().limits().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.upstreams().get("jira").targets())
        .containsExactly(URI.create("http://10.0.0.5:8080"), URI.create("http://10.0.0.6:8080"));
    assertThat(config.upstreams().get("jira").maxConnectionsPerTarget()).isEqualTo(64);
    assertThat(config.upstreams().get("billing").targets())
        .containsExactly(URI.create("http://10.9.0.1:80"));
    assertThat(config.routes().get(0).upstream()).isEqualTo("billing");
  }

  @Test
  void theSocketTransportIsAutoUnlessNamedAndAnUnknownOneIsAProblem() throws Exception {
    assertThat(parse("server: {port: 8000}\n").server().transport())
        .isEqualTo(SocketTransport.AUTO);
    assertThat(parse("server: {transport: io_uring}\n").server().transport())
        .isEqualTo(SocketTransport.IO_URING);
    assertThat(
            new ConfigLoader(Map.of("PORTCULLIS_SERVER_TRANSPORT", "nio"))
                .load(null)
                .server()
                .transport())
        .isEqualTo(SocketTransport.NIO);
    assertThat(problems("server: {transport: kqueue}\n"))
        .containsExactly(
            "gw.yaml: server.transport: 'kqueue' (expected: auto, io_uring, epoll or nio)");
  }

  @Test
  void badEnvironmentValuesNameTheVariable() {
    assertThat(
            problems("", Map.of("PORTCULLIS_SERVER_PORT", "http", "PORTCULLIS_SERVER_PROT", "1")))
        .containsExactlyInAnyOrder(
            "environment PORTCULLIS_SERVER_PORT: server.port: 'http' (expected: an integer)",
            "environment PORTCULLIS_SERVER_PROT: unknown configuration key (see the configuration reference in README.md)");
    assertThat(problems("", Map.of("PORTCULLIS_ROUTES_9_UPSTREAM", "jira")))
        .containsExactly(
            "environment PORTCULLIS_ROUTES_9_UPSTREAM: routes[9]: no such list entry (the list has 4)");
  }

  @Test
  void secretsResolveFromEnvironmentAndFilesAndAreNeverPrinted(@TempDir Path dir) throws Exception {
    Path secretFile = dir.resolve("token");
    Files.writeString(secretFile, "s3cr3t-from-file\n");
    GatewayConfig config =
        new ConfigLoader(Map.of("GW_SECRET", "s3cr3t-from-env"))
            .parse(
                "upstreams:\n  jira:\n    request_headers:\n      X-Env: ${GW_SECRET}\n      X-File: file:"
                    + secretFile
                    + "\n      X-Literal: s3cr3t-literal\n",
                SOURCE);
    Map<String, Secret> headers = config.upstreams().get("jira").requestHeaders();
    assertThat(headers.get("X-Env").reveal()).isEqualTo("s3cr3t-from-env");
    assertThat(headers.get("X-File").reveal()).isEqualTo("s3cr3t-from-file");
    assertThat(headers.get("X-Literal").reveal()).isEqualTo("s3cr3t-literal");
    assertThat(config.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void secretProblemsNeverEchoTheValue(@TempDir Path dir) {
    List<String> lines =
        problems(
            "upstreams:\n  jira:\n    request_headers:\n      X-Env: ${MISSING_SECRET}\n      X-File: file:"
                + dir.resolve("nope")
                + "\n      X-Bad: [s3cr3t-in-a-list]\n      'bad header': s3cr3t-value\n    port_typo: s3cr3t-typo\n");
    assertThat(lines)
        .contains(
            "gw.yaml: upstreams.jira.request_headers.X-Env: environment variable MISSING_SECRET is not set",
            "gw.yaml: upstreams.jira.request_headers.X-File: secret file "
                + dir.resolve("nope")
                + " cannot be read (NoSuchFileException)",
            "gw.yaml: upstreams.jira.request_headers.X-Bad: a value of the wrong type (expected: a text secret, ${ENV_VAR} or file:/path)",
            "gw.yaml: upstreams.jira.request_headers.bad header: not a valid header name");
    assertThat(String.join("\n", lines)).doesNotContain("s3cr3t");
  }

  @Test
  void accessLogDefaultsToStdout() throws Exception {
    assertThat(parse("").accessLog()).isEqualTo(AccessLogConfig.DEFAULTS);
    assertThat(AccessLogConfig.DEFAULTS.enabled()).isTrue();
    assertThat(AccessLogConfig.DEFAULTS.destination())
        .isEqualTo(AccessLogConfig.Destination.STDOUT);
  }

  @Test
  void accessLogToAFileFromTheFileAndTheEnvironment() throws Exception {
    GatewayConfig config =
        parse("access_log: {enabled: false, destination: file, path: /var/log/gw/access.json}\n");
    assertThat(config.accessLog())
        .isEqualTo(
            new AccessLogConfig(
                false, AccessLogConfig.Destination.FILE, Path.of("/var/log/gw/access.json")));

    GatewayConfig fromEnv =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_ACCESS_LOG_DESTINATION", "file",
                    "PORTCULLIS_ACCESS_LOG_PATH", "/tmp/a.json",
                    "PORTCULLIS_ACCESS_LOG_ENABLED", "true"))
            .parse("access_log: {destination: stdout}\n", SOURCE);
    assertThat(fromEnv.accessLog())
        .isEqualTo(
            new AccessLogConfig(true, AccessLogConfig.Destination.FILE, Path.of("/tmp/a.json")));
  }

  @Test
  void badAccessLogValues() {
    assertThat(problems("access_log: {destination: syslog}\n"))
        .containsExactly("gw.yaml: access_log.destination: 'syslog' (expected: stdout or file)");
    assertThat(problems("access_log: {destination: file}\n"))
        .containsExactly(
            "gw.yaml: access_log.path: missing (expected: a file path when destination is file)");
    assertThat(problems("access_log: {enabled: sometimes}\n"))
        .containsExactly("gw.yaml: access_log.enabled: 'sometimes' (expected: true or false)");
    assertThat(problems("access_log: {destination: stdout, file: x}\n"))
        .containsExactly(
            "gw.yaml: access_log.file: unknown key (expected one of: enabled, destination, path)");
    assertThat(problems("", Map.of("PORTCULLIS_ACCESS_LOG_DESTINATION", "kafka")))
        .containsExactly(
            "environment PORTCULLIS_ACCESS_LOG_DESTINATION: access_log.destination: 'kafka' (expected: stdout or file)");
  }
}
