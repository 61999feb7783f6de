package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.EdgeSecurityConfig;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.core.net.Cidr;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Security response headers, IP allow and deny lists and the Host allow-list, end to end. */
class EdgeSecurityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private TestUpstream upstream;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    resources.add(upstream);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private Gateway gateway(EdgeSecurityConfig security) throws InterruptedException {
    Gateway gateway =
        Gateway.start(
            TestGateways.config(
                new ServerConfig(
                    "127.0.0.1",
                    0,
                    1,
                    ServerLimits.DEFAULTS,
                    Duration.ofSeconds(5),
                    List.of(),
                    security),
                TestGateways.upstream(
                    "backend",
                    List.of(upstream.uri()),
                    Duration.ofSeconds(5),
                    8,
                    LoadBalancing.ROUND_ROBIN)));
    resources.add(gateway);
    return gateway;
  }

  private static RawHttp.Response get(Gateway gateway, String path, String host) throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
      return raw.read();
    }
  }

  @Test
  void everyResponseCarriesTheSecurityHeadersAndNoServerVersion() throws Exception {
    Gateway gateway = gateway(EdgeSecurityConfig.DEFAULTS);
    for (RawHttp.Response response :
        List.of(get(gateway, "/headers", "h"), get(gateway, "/../x", "h"))) {
      assertThat(response.header("x-content-type-options")).isEqualTo("nosniff");
      assertThat(response.header("content-security-policy"))
          .isEqualTo("default-src 'none'; frame-ancestors 'none'");
      assertThat(response.header("x-frame-options")).isEqualTo("DENY");
      assertThat(response.header("referrer-policy")).isEqualTo("no-referrer");
      assertThat(response.header("server")).isEqualTo("portcullis");
      assertThat(response.header("strict-transport-security")).as("only on TLS listeners").isNull();
    }
  }

  @Test
  void headersCanBeTurnedOffOrChanged() throws Exception {
    Gateway off =
        gateway(
            new EdgeSecurityConfig(
                new EdgeSecurityConfig.SecurityHeaders(false, "", "", "", ""),
                List.of(),
                List.of(),
                List.of()));
    RawHttp.Response response = get(off, "/headers", "h");
    assertThat(response.header("content-security-policy")).isNull();
    assertThat(response.header("server")).isEqualTo("portcullis");
    Gateway custom =
        gateway(
            new EdgeSecurityConfig(
                new EdgeSecurityConfig.SecurityHeaders(
                    true, "default-src 'self'", "SAMEORIGIN", "", ""),
                List.of(),
                List.of(),
                List.of()));
    RawHttp.Response changed = get(custom, "/headers", "h");
    assertThat(changed.header("content-security-policy")).isEqualTo("default-src 'self'");
    assertThat(changed.header("x-frame-options")).isEqualTo("SAMEORIGIN");
    assertThat(changed.header("referrer-policy")).isNull();
  }

  @Test
  void deniedAndUnlistedAddressesGet403BeforeTheUpstream() throws Exception {
    Gateway denied =
        gateway(
            new EdgeSecurityConfig(
                EdgeSecurityConfig.SecurityHeaders.DEFAULTS,
                List.of(),
                List.of(Cidr.parse("127.0.0.0/8")),
                List.of()));
    RawHttp.Response response = get(denied, "/headers", "h");
    assertThat(response.status()).isEqualTo(403);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("forbidden");
    Gateway notAllowed =
        gateway(
            new EdgeSecurityConfig(
                EdgeSecurityConfig.SecurityHeaders.DEFAULTS,
                List.of(Cidr.parse("10.0.0.0/8")),
                List.of(),
                List.of()));
    assertThat(get(notAllowed, "/headers", "h").status()).isEqualTo(403);
    assertThat(upstream.requests()).isZero();
    Gateway allowed =
        gateway(
            new EdgeSecurityConfig(
                EdgeSecurityConfig.SecurityHeaders.DEFAULTS,
                List.of(Cidr.parse("127.0.0.1"), Cidr.parse("::1")),
                List.of(Cidr.parse("10.0.0.0/8")),
                List.of()));
    assertThat(get(allowed, "/headers", "h").status()).isEqualTo(200);
  }

  @Test
  void onlyListedHostNamesAreServed() throws Exception {
    Gateway gateway =
        gateway(
            new EdgeSecurityConfig(
                EdgeSecurityConfig.SecurityHeaders.DEFAULTS,
                List.of(),
                List.of(),
                List.of("jira.example.com")));
    assertThat(get(gateway, "/headers", "JIRA.example.com:8443").status()).isEqualTo(200);
    RawHttp.Response other = get(gateway, "/headers", "evil.example");
    assertThat(other.status()).isEqualTo(421);
    assertThat(JSON.readTree(other.body()).get("error").asText()).isEqualTo("misdirected_request");
    assertThat(upstream.requests()).isEqualTo(1);
  }
}
