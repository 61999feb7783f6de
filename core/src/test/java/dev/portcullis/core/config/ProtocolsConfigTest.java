package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtocolsConfigTest {

  @Test
  void defaultsArePlainHttpWithH2OfferedOnTlsOnlyAndUpstreamsVerified() throws Exception {
    GatewayConfig config = new ConfigLoader(Map.of()).parse("server:\n  port: 8080\n", "gw.yaml");
    assertThat(config.server().tls().enabled()).isFalse();
    assertThat(config.server().http2()).isEqualTo(new Http2Config(true, false, 100, 65_535));
    assertThat(config.upstreams().get("jira").tls()).isEqualTo(UpstreamTlsConfig.DEFAULTS);
    assertThat(config.upstreams().get("jira").tls().insecureSkipVerify()).isFalse();
  }

  @Test
  void tlsHttp2AndUpstreamTlsAreBoundFromYamlAndEnvironment() throws Exception {
    GatewayConfig config =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_SERVER_HTTP2_MAX_CONCURRENT_STREAMS", "50",
                    "PORTCULLIS_SERVER_TLS_RELOAD_INTERVAL", "30s"))
            .parse(
                "server:\n  tls:\n    cert_file: /etc/gw/tls.crt\n    key_file: /etc/gw/tls.key\n"
                    + "    client_ca_file: /etc/gw/clients.pem\n    client_auth: required\n"
                    + "    protocols: [TLSv1.3]\n    session_timeout: 10m\n"
                    + "  http2:\n    h2c: true\n    initial_window_size: 1MiB\n"
                    + "upstreams:\n  jira:\n    targets: [https://jira.internal:8443]\n"
                    + "    tls: {ca_file: /etc/gw/internal-ca.pem}\n",
                "gw.yaml");
    ServerTlsConfig tls = config.server().tls();
    assertThat(tls.enabled()).isTrue();
    assertThat(tls.certFile()).isEqualTo(Path.of("/etc/gw/tls.crt"));
    assertThat(tls.keyFile()).isEqualTo(Path.of("/etc/gw/tls.key"));
    assertThat(tls.clientAuth()).isEqualTo(ServerTlsConfig.ClientAuth.REQUIRED);
    assertThat(tls.protocols()).containsExactly("TLSv1.3");
    assertThat(tls.sessionTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(tls.reloadInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.server().http2()).isEqualTo(new Http2Config(true, true, 50, 1 << 20));
    assertThat(config.upstreams().get("jira").tls())
        .isEqualTo(new UpstreamTlsConfig(Path.of("/etc/gw/internal-ca.pem"), false));
  }

  @Test
  void badProtocolValuesAreReported() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                new ConfigLoader(Map.of())
                    .parse(
                        "server:\n  tls:\n    cert_file: /a.crt\n    protocols: [TLSv1.1]\n"
                            + "    client_auth: sometimes\n"
                            + "  http2:\n    max_concurrent_streams: 0\n    initial_window_size: 1KiB\n"
                            + "upstreams:\n  jira:\n    tls: {insecure_skip_verify: yes}\n",
                        "gw.yaml"));
    assertThat(e.problems())
        .contains(
            "gw.yaml: server.tls.client_auth: 'sometimes' (expected: none, optional or required)",
            "gw.yaml: server.tls: cert_file without key_file (expected: both cert_file and key_file, or neither)",
            "gw.yaml: server.http2.max_concurrent_streams: 0 (expected: 1..1000000)",
            "gw.yaml: server.http2.initial_window_size: 1024 (expected: 65535..2147483647 bytes)");
    assertThat(e.problems()).anyMatch(p -> p.contains("upstreams.jira.tls.insecure_skip_verify"));
  }

  @Test
  void protocolsOtherThanTls12And13AreRejected() {
    IllegalArgumentException e =
        catchThrowableOfType(
            IllegalArgumentException.class,
            () ->
                new ServerTlsConfig(
                    Path.of("/a"),
                    Path.of("/b"),
                    null,
                    ServerTlsConfig.ClientAuth.NONE,
                    java.util.List.of("TLSv1.1"),
                    Duration.ofHours(1),
                    100,
                    Duration.ofSeconds(5)));
    assertThat(e).hasMessage("server.tls.protocols: [TLSv1.1] (expected: TLSv1.3 and/or TLSv1.2)");
  }
}
