package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeSecurityConfigTest {

  @Test
  void securityIsBoundFromYamlAndEnvironment() throws Exception {
    EdgeSecurityConfig security =
        new ConfigLoader(Map.of("PORTCULLIS_SERVER_SECURITY_IP_DENY", "192.0.2.0/24"))
            .parse(
                "server:\n  security:\n    headers: {frame_options: SAMEORIGIN, enabled: true}\n"
                    + "    ip_allow: [10.0.0.0/8, '2001:db8::/32']\n    allowed_hosts: [Jira.Example.com]\n",
                "gw.yaml")
            .server()
            .security();
    assertThat(security.headers().frameOptions()).isEqualTo("SAMEORIGIN");
    assertThat(security.headers().contentSecurityPolicy())
        .isEqualTo("default-src 'none'; frame-ancestors 'none'");
    assertThat(security.ipAllow())
        .extracting(Object::toString)
        .containsExactly("10.0.0.0/8", "2001:db8::/32");
    assertThat(security.ipDeny()).extracting(Object::toString).containsExactly("192.0.2.0/24");
    assertThat(security.allowedHosts()).containsExactly("jira.example.com");
  }

  @Test
  void badSecurityValuesAreReported() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                new ConfigLoader(Map.of())
                    .parse(
                        "server:\n  security:\n    headers: {referrer_policy: \"a\\nb\"}\n"
                            + "    ip_deny: [everyone]\n    allowed_hosts: ['jira:8080']\n",
                        "gw.yaml"));
    assertThat(e.problems())
        .containsExactly(
            "gw.yaml: server.security.headers.referrer_policy: 'a\nb' (expected: printable ASCII text)",
            "gw.yaml: server.security.ip_deny[0]: 'everyone' (expected: an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32)",
            "gw.yaml: server.security.allowed_hosts[0]: 'jira:8080' (expected: a host name such as jira.example.com, no port)");
  }
}
