package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.AdminConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.config.RouteEdgePolicy;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.core.net.Cidr;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's own body limit, request timeout and IP lists on top of the listener's, on raw sockets,
 * from IPv4 and IPv6 loopback (one gateway listening on each).
 */
class RouteEdgePolicyIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The listener allows 1 KiB bodies and five minutes per request. */
  private static final ServerLimits LIMITS =
      new ServerLimits(
          8 * 1024,
          60 * 1024,
          Duration.ofSeconds(30),
          100,
          1024,
          1000,
          Duration.ofSeconds(10),
          Duration.ofMinutes(5));

  private static TestUpstream upstream;
  private static Gateway ipv4;
  private static Gateway ipv6;
  private int requestsBefore;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    ipv4 = Gateway.start(TestGateways.anonymous(config("127.0.0.1")));
    ipv6 = Gateway.start(TestGateways.anonymous(config("::1")));
  }

  private static GatewayConfig config(String address) {
    UpstreamConfig backend =
        TestGateways.upstream(
            "backend",
            List.of(upstream.uri()),
            Duration.ofSeconds(10),
            8,
            LoadBalancing.ROUND_ROBIN);
    List<Cidr> none = List.of();
    List<RouteConfig> routes =
        List.of(
            route("small", new RouteEdgePolicy(100L, null, none, none)),
            route("big", new RouteEdgePolicy(1024L * 1024, null, none, none)),
            route("quick", new RouteEdgePolicy(null, Duration.ofMillis(300), none, none)),
            route(
                "internal",
                new RouteEdgePolicy(null, null, List.of(Cidr.parse("10.0.0.0/8")), none)),
            route(
                "no-v4", new RouteEdgePolicy(null, null, none, List.of(Cidr.parse("127.0.0.0/8")))),
            route("no-v6", new RouteEdgePolicy(null, null, none, List.of(Cidr.parse("::1/128")))),
            route(
                "loopback-only",
                new RouteEdgePolicy(
                    null, null, List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("::1/128")), none)),
            RouteConfig.glob("all", "/**", "backend"));
    return new GatewayConfig(
        new ServerConfig(address, 0, 1, LIMITS, Duration.ofSeconds(5), List.of()),
        new AdminConfig("127.0.0.1", 0),
        Map.of("backend", backend),
        routes);
  }

  private static RouteConfig route(String name, RouteEdgePolicy edge) {
    return new RouteConfig(
            name, "/" + name + "/**", null, null, List.of(), "backend", "/" + name, null, null)
        .withEdge(edge);
  }

  @AfterAll
  static void stop() {
    ipv4.close();
    ipv6.close();
    upstream.close();
  }

  @BeforeEach
  void count() {
    requestsBefore = upstream.requests();
  }

  private static RawHttp.Response get(Gateway gateway, String path) throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
      return raw.read();
    }
  }

  @Test
  void aDeclaredBodyOverTheRoutesLimitIs413BeforeTheUpstreamSeesAByte() throws Exception {
    try (RawHttp raw = new RawHttp(ipv4.address())) {
      raw.send("POST /small/sink HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(413);
      assertThat(JSON.readTree(response.body()).get("error").asText())
          .isEqualTo("payload_too_large");
      assertThat(JSON.readTree(response.body()).get("message").asText()).contains("100 bytes");
      assertThat(raw.closedByPeer()).isTrue();
    }
    assertThat(upstream.requests()).isEqualTo(requestsBefore);
    // the same body is fine on a route that inherits the listener's 1 KiB
    try (RawHttp raw = new RawHttp(ipv4.address())) {
      raw.send("POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n" + "x".repeat(101));
      assertThat(JSON.readTree(raw.read().body()).get("bytes").asInt()).isEqualTo(101);
    }
  }

  @Test
  void aStreamedBodyOverTheRoutesLimitIsCutWith413() throws Exception {
    try (RawHttp raw = new RawHttp(ipv4.address())) {
      String chunk = "x".repeat(60);
      raw.send(
          "POST /small/sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3c\r\n"
              + chunk
              + "\r\n");
      Thread.sleep(100);
      raw.send("3c\r\n" + chunk + "\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(413);
      assertThat(raw.closedByPeer()).isTrue();
    }
  }

  @Test
  void aRouteMayAllowMoreThanTheListener() throws Exception {
    String body = "y".repeat(5000);
    try (RawHttp raw = new RawHttp(ipv4.address())) {
      raw.send("POST /big/sink HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n" + body);
      assertThat(JSON.readTree(raw.read().body()).get("bytes").asInt()).isEqualTo(5000);
    }
    try (RawHttp raw = new RawHttp(ipv4.address())) {
      raw.send(
          "POST /big/sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n"
              + body
              + "\r\n0\r\n\r\n");
      assertThat(JSON.readTree(raw.read().body()).get("bytes").asInt()).isEqualTo(5000);
    }
    try (RawHttp raw = new RawHttp(ipv4.address())) {
      raw.send("POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n");
      assertThat(raw.read().status()).as("the listener's limit elsewhere").isEqualTo(413);
    }
  }

  @Test
  void aRequestOverTheRoutesTotalTimeIs504() throws Exception {
    RawHttp.Response response = get(ipv4, "/quick/slow?ms=3000");
    assertThat(response.status()).isEqualTo(504);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("request_timeout");
    // other routes keep the listener's five minutes
    assertThat(get(ipv4, "/slow?ms=500").status()).isEqualTo(200);
  }

  @Test
  void aRoutesIpListsRefuseWith403FromIpv4AndIpv6() throws Exception {
    for (Gateway gateway : List.of(ipv4, ipv6)) {
      RawHttp.Response response = get(gateway, "/internal/headers");
      assertThat(response.status()).isEqualTo(403);
      assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("forbidden");
      assertThat(get(gateway, "/loopback-only/headers").status()).isEqualTo(200);
      assertThat(get(gateway, "/headers").status()).as("other routes").isEqualTo(200);
    }
    assertThat(get(ipv4, "/no-v4/headers").status()).isEqualTo(403);
    assertThat(get(ipv6, "/no-v4/headers").status()).isEqualTo(200);
    assertThat(get(ipv6, "/no-v6/headers").status()).isEqualTo(403);
    assertThat(get(ipv4, "/no-v6/headers").status()).isEqualTo(200);
    assertThat(upstream.requests())
        .as("only the allowed requests reached the upstream")
        .isEqualTo(requestsBefore + 6);
  }
}
