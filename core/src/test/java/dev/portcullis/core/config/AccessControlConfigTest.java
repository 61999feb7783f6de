package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code auth.access} and the per-route {@code auth} section. */
class AccessControlConfigTest {
  private static final String SOURCE = "gw.yaml";

  private static GatewayConfig parse(String yaml) throws ConfigException {
    return new ConfigLoader(Map.of()).parse(yaml, SOURCE);
  }

  private static List<String> problems(String yaml) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).parse(yaml, SOURCE));
    assertThat(e).as("expected the configuration to be rejected").isNotNull();
    return e.problems();
  }

  @Test
  void defaultsMapTheAtlassianScopesAndRequireAuthenticationOnEveryRoute() throws Exception {
    GatewayConfig config = parse("");
    AccessControlConfig access = config.auth().access();
    assertThat(access.scopes().get("jira:write"))
        .containsExactlyInAnyOrder("jira.issues.create", "jira.issues.edit");
    assertThat(access.rules()).isEqualTo(AccessControlConfig.DEFAULT_RULES);
    assertThat(access.bruteForce()).isEqualTo(AccessControlConfig.BruteForce.DEFAULTS);
    assertThat(config.routes()).allSatisfy(r -> assertThat(r.auth()).isEqualTo(RouteAuth.REQUIRED));
  }

  @Test
  void configuredScopesRulesAndBruteForceAreRead() throws Exception {
    AccessControlConfig access =
        parse(
                """
                auth:
                  access:
                    scopes:
                      jira:read: [jira.issues.view]
                      reports:read: [reports.view]
                    default_rules: false
                    audit_success_interval: 0s
                    rules:
                      - methods: [get]
                        path: /rest/api/*/field
                        permission: authenticated
                    brute_force:
                      max_failures: 5
                      window: 30s
                      block_time: 2m
                      max_block_time: 2h
                """)
            .auth()
            .access();
    assertThat(access.scopes().get("jira:read")).containsExactly("jira.issues.view");
    assertThat(access.scopes().get("reports:read")).containsExactly("reports.view");
    assertThat(access.auditSuccessInterval()).isZero();
    assertThat(access.scopes()).containsKey("confluence:read");
    assertThat(access.rules())
        .containsExactly(
            new AccessControlConfig.PermissionRule(
                List.of("GET"), "/rest/api/*/field", "authenticated"));
    assertThat(access.bruteForce())
        .isEqualTo(
            new AccessControlConfig.BruteForce(
                true, 5, Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofHours(2)));
  }

  @Test
  void badAccessSettingsNameTheKey() {
    assertThat(
            problems(
                """
                auth:
                  access:
                    scopes:
                      jira:read: [Not A Permission]
                    rules:
                      - path: rest/api
                        permission: jira.issues.view
                      - path: /x
                    brute_force:
                      max_failures: 0
                      block_time: 1h
                      max_block_time: 1m
                """))
        .anySatisfy(
            p ->
                assertThat(p).contains("auth.access.scopes.jira:read").contains("Not A Permission"))
        .anySatisfy(p -> assertThat(p).contains("auth.access.rules[0]").contains("rest/api"))
        .anySatisfy(p -> assertThat(p).contains("auth.access.rules[1].permission"))
        .anySatisfy(p -> assertThat(p).contains("auth.access.brute_force.max_failures"));
  }

  @Test
  void aRouteDeclaresItsMethodsAndAnonymousAccess() throws Exception {
    GatewayConfig config =
        parse(
            """
            routes:
              - name: public
                match: {path_prefix: /rest/api/3/serverInfo}
                upstream: jira
                auth: {anonymous: true}
              - name: machines
                match: {path_prefix: /rest/api}
                upstream: jira
                auth: {methods: [jwt]}
            """);
    assertThat(config.routes().get(0).auth()).isEqualTo(RouteAuth.ANONYMOUS);
    assertThat(config.routes().get(1).auth()).isEqualTo(new RouteAuth(List.of("jwt"), false));
  }

  @Test
  void anUnknownRouteAuthMethodIsAProblem() {
    assertThat(
            problems(
                """
                routes:
                  - name: r
                    match: {path_prefix: /x}
                    upstream: jira
                    auth: {methods: [basic]}
                """))
        .anySatisfy(p -> assertThat(p).contains("routes[0].auth.methods[0]").contains("basic"));
  }
}
