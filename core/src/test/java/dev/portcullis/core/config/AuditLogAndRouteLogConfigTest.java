package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code audit_log} section and the per-route {@code access_log} switch. */
class AuditLogAndRouteLogConfigTest {
  private static final String SOURCE = "gw.yaml";

  private static GatewayConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    return new ConfigLoader(env).parse(yaml, SOURCE);
  }

  private static List<String> problems(String yaml, Map<String, String> env) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(env).parse(yaml, SOURCE));
    assertThat(e).as("expected the configuration to be rejected").isNotNull();
    return e.problems();
  }

  @Test
  void auditLogDefaultsToStdoutWithATemporarySpool() throws Exception {
    AuditLogConfig audit = parse("", Map.of()).auditLog();
    assertThat(audit).isEqualTo(AuditLogConfig.DEFAULTS);
    assertThat(audit.destination()).isEqualTo(AuditLogConfig.Destination.STDOUT);
    assertThat(audit.effectiveSpoolPath()).isNull();
  }

  @Test
  void auditLogToAFileSpoolsBesideIt() throws Exception {
    AuditLogConfig audit =
        parse("audit_log: {destination: file, path: /var/log/gw/audit.json}\n", Map.of())
            .auditLog();
    assertThat(audit)
        .isEqualTo(
            new AuditLogConfig(
                AuditLogConfig.Destination.FILE, Path.of("/var/log/gw/audit.json"), null));
    assertThat(audit.effectiveSpoolPath()).isEqualTo(Path.of("/var/log/gw/audit.json.spool"));
  }

  @Test
  void auditLogFromTheEnvironmentWinsOverTheFile() throws Exception {
    AuditLogConfig audit =
        parse(
                "audit_log: {destination: stdout}\n",
                Map.of(
                    "PORTCULLIS_AUDIT_LOG_DESTINATION", "file",
                    "PORTCULLIS_AUDIT_LOG_PATH", "/tmp/audit.json",
                    "PORTCULLIS_AUDIT_LOG_SPOOL_PATH", "/var/spool/gw/audit.spool"))
            .auditLog();
    assertThat(audit)
        .isEqualTo(
            new AuditLogConfig(
                AuditLogConfig.Destination.FILE,
                Path.of("/tmp/audit.json"),
                Path.of("/var/spool/gw/audit.spool")));
    assertThat(audit.effectiveSpoolPath()).isEqualTo(Path.of("/var/spool/gw/audit.spool"));
  }

  @Test
  void badAuditLogValuesAreEachReported() {
    assertThat(problems("audit_log: {destination: syslog}\n", Map.of()))
        .containsExactly("gw.yaml: audit_log.destination: 'syslog' (expected: stdout or file)");
    assertThat(problems("audit_log: {destination: file}\n", Map.of()))
        .containsExactly(
            "gw.yaml: audit_log.path: missing (expected: a file path when destination is file)");
    assertThat(problems("audit_log: {destination: file, path: ' '}\n", Map.of()))
        .containsExactly("gw.yaml: audit_log.path: ' ' (expected: a file path)");
    assertThat(problems("audit_log: {destination: file, path: /a, spool_path: /a}\n", Map.of()))
        .containsExactly(
            "gw.yaml: audit_log.spool_path: '/a' (expected: a file other than audit_log.path)");
    assertThat(problems("audit_log: {enabled: false}\n", Map.of()))
        .containsExactly(
            "gw.yaml: audit_log.enabled: unknown key (expected one of: destination, path, spool_path)");
    assertThat(problems("audit_log: [stdout]\n", Map.of()))
        .containsExactly("gw.yaml: audit_log: a list (expected: a mapping)");
    assertThat(problems("", Map.of("PORTCULLIS_AUDIT_LOG_DESTINATION", "kafka")))
        .containsExactly(
            "environment PORTCULLIS_AUDIT_LOG_DESTINATION: audit_log.destination: 'kafka' (expected: stdout or file)");
  }

  @Test
  void theRecordRefusesAFileDestinationWithoutAPath() {
    assertThatThrownBy(() -> new AuditLogConfig(AuditLogConfig.Destination.FILE, null, null))
        .hasMessage("audit_log.path: missing (expected: a file path when destination is file)");
    assertThatThrownBy(() -> new AuditLogConfig(null, null, null))
        .hasMessage("audit_log.destination: null (expected: a value)");
  }

  @Test
  void routeAccessLogIsOnUnlessSwitchedOff() throws Exception {
    GatewayConfig config =
        parse(
            """
            routes:
              - {name: quiet, match: {path: /health/**}, upstream: jira, access_log: false}
              - {name: loud, match: {path: /rest/**}, upstream: jira, access_log: true}
              - {name: plain, match: {path: /**}, upstream: jira}
            """,
            Map.of());
    assertThat(config.routes())
        .extracting(RouteConfig::name, RouteConfig::accessLog)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("quiet", false),
            org.assertj.core.groups.Tuple.tuple("loud", true),
            org.assertj.core.groups.Tuple.tuple("plain", true));
    assertThat(GatewayConfig.defaultRoutes()).allMatch(RouteConfig::accessLog);

    GatewayConfig fromEnv =
        parse(
            "routes:\n  - {name: a, match: {path: /**}, upstream: jira}\n",
            Map.of("PORTCULLIS_ROUTES_0_ACCESS_LOG", "false"));
    assertThat(fromEnv.routes().get(0).accessLog()).isFalse();
  }

  @Test
  void aRouteAccessLogThatIsNotABooleanIsAProblem() {
    assertThat(
            problems(
                "routes:\n  - {name: a, match: {path: /**}, upstream: jira, access_log: no}\n",
                Map.of()))
        .containsExactly("gw.yaml: routes[0].access_log: 'no' (expected: true or false)");
    assertThat(
            problems(
                "routes:\n  - {name: a, match: {path: /**}, upstream: jira}\n",
                Map.of("PORTCULLIS_ROUTES_0_ACCESS_LOG", "off")))
        .containsExactly(
            "environment PORTCULLIS_ROUTES_0_ACCESS_LOG: routes[0].access_log: 'off' (expected: true or false)");
  }
}
