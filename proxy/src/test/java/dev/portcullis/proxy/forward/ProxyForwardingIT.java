package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.SocketTransport;
import dev.portcullis.core.net.Cidr;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.server.Transport;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine end to end: a real client, the gateway and a raw upstream on loopback sockets, once on
 * each socket transport (io_uring is what {@code auto} picks where the kernel allows it, epoll
 * where a container's seccomp profile forbids io_uring, NIO off Linux).
 */
@ParameterizedClass
@EnumSource(
    value = SocketTransport.class,
    names = {"IO_URING", "EPOLL", "NIO"})
class ProxyForwardingIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameter SocketTransport transport;

  private TestUpstream upstream;
  private Gateway gateway;
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(
        Transport.isAvailable(transport), () -> transport.yamlName() + " is not available here");
    upstream = new TestUpstream();
    gateway = TestGateways.start(upstream.uri(), transport);
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + gateway.address().getPort() + pathAndQuery);
  }

  private static byte[] randomBytes(int n) {
    byte[] data = new byte[n];
    ThreadLocalRandom.current().nextBytes(data);
    return data;
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  @Test
  void theGatewayRunsOnTheTransportItWasGiven() {
    assertThat(gateway.transportName()).isEqualTo(transport.yamlName());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1024})
  void postBodiesArriveIntact(int size) throws Exception {
    byte[] body = randomBytes(size);
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(url("/sink"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("bytes").asLong()).isEqualTo(size);
    assertThat(json.get("sha256").asText()).isEqualTo(sha256(body));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1024})
  void getResponsesArriveIntact(int size) throws Exception {
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(url("/bytes?n=" + size)).build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValueAsLong("content-length")).hasValue(size);
    byte[] body = response.body();
    assertThat(body).hasSize(size);
    for (int i = 0; i < size; i++) {
      assertThat(body[i]).isEqualTo(TestUpstream.patternByte(i));
    }
  }

  @Test
  void chunkedRequestAndChunkedResponseAreRelayed() throws Exception {
    byte[] body = randomBytes(300_000);
    // An InputStream publisher has no known length, so the client sends it chunked.
    HttpResponse<String> sink =
        client.send(
            HttpRequest.newBuilder(url("/sink"))
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(sink.body()).get("sha256").asText()).isEqualTo(sha256(body));

    HttpResponse<byte[]> chunked =
        client.send(
            HttpRequest.newBuilder(url("/bytes?n=200000&chunked=true")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(chunked.statusCode()).isEqualTo(200);
    assertThat(chunked.headers().firstValue("transfer-encoding")).hasValue("chunked");
    assertThat(chunked.body()).hasSize(200_000);
  }

  @Test
  void sequentialRequestsReuseOneUpstreamConnection() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      for (int i = 0; i < 10; i++) {
        raw.send("GET /headers HTTP/1.1\r\nHost: example.test\r\n\r\n");
        assertThat(raw.read().status()).isEqualTo(200);
      }
    }
    assertThat(upstream.requests()).isEqualTo(10);
    assertThat(upstream.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "GET /slow?ms=200 HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET /headers HTTP/1.1\r\nHost: b\r\n\r\n"
              + "GET /bytes?n=3 HTTP/1.1\r\nHost: c\r\n\r\n");
      List<RawHttp.Response> responses = raw.read(3);
      assertThat(responses.get(0).body()).isEqualTo("slow ok");
      assertThat(responses.get(1).body())
          .contains("\"host\":\"127.0.0.1:" + upstream.port() + "\"");
      assertThat(responses.get(2).body()).isEqualTo("abc");
    }
  }

  @Test
  void routePrefixIsStrippedBeforeForwarding() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(url("/api/headers?x=1")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(response.body()).get("uri").asText()).isEqualTo("/headers?x=1");
  }

  @Test
  void hopByHopHeadersAreStrippedInBothDirections() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "GET /headers HTTP/1.1\r\nHost: example.test\r\n"
              + "Connection: keep-alive, X-Client-Hop\r\n"
              + "X-Client-Hop: must-not-pass\r\n"
              + "Keep-Alive: timeout=5\r\n"
              + "TE: trailers\r\n"
              + "Proxy-Authorization: Basic c2VjcmV0\r\n"
              + "Upgrade: h2c\r\n"
              + "X-End-To-End: passes\r\n\r\n");
      JsonNode headers = JSON.readTree(raw.read().body()).get("headers");
      assertThat(headers.has("x-client-hop")).isFalse();
      assertThat(headers.has("keep-alive")).isFalse();
      assertThat(headers.has("te")).isFalse();
      assertThat(headers.has("proxy-authorization")).isFalse();
      assertThat(headers.has("upgrade")).isFalse();
      assertThat(headers.has("connection")).isFalse();
      assertThat(headers.get("x-end-to-end").asText()).isEqualTo("passes");

      raw.send("GET /hop HTTP/1.1\r\nHost: example.test\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.header("x-upstream-hop")).isNull();
      assertThat(response.header("keep-alive")).isNull();
      assertThat(response.header("proxy-authenticate")).isNull();
      assertThat(response.header("connection")).isNull();
      assertThat(response.header("x-end-to-end")).isEqualTo("kept");
      assertThat(response.body()).isEqualTo("hop");
    }
  }

  @Test
  void forwardingHeadersAreSetAndSpoofedOnesReplaced() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "GET /headers HTTP/1.1\r\nHost: jira.example.com\r\n"
              + "X-Forwarded-For: 6.6.6.6\r\n"
              + "X-Forwarded-Host: evil.example\r\n"
              + "X-Forwarded-Proto: https\r\n"
              + "Forwarded: for=6.6.6.6\r\n\r\n");
      RawHttp.Response response = raw.read();
      JsonNode headers = JSON.readTree(response.body()).get("headers");
      assertThat(headers.get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
      assertThat(headers.get("x-forwarded-host").asText()).isEqualTo("jira.example.com");
      assertThat(headers.get("x-forwarded-proto").asText()).isEqualTo("http");
      assertThat(headers.get("forwarded").asText())
          .isEqualTo("for=127.0.0.1;host=jira.example.com;proto=http");
      assertThat(headers.get("via").asText()).isEqualTo("1.1 portcullis");
      assertThat(headers.get("host").asText()).isEqualTo("127.0.0.1:" + upstream.port());
      String requestId = headers.get("x-request-id").asText();
      assertThat(requestId)
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      assertThat(response.header("x-request-id")).isEqualTo(requestId);
      assertThat(response.header("via")).isEqualTo("1.1 portcullis");
    }
  }

  @Test
  void aValidClientRequestIdIsKeptAndAnInvalidOneReplaced() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\nX-Request-Id: client-id-42\r\n\r\n");
      RawHttp.Response kept = raw.read();
      assertThat(JSON.readTree(kept.body()).at("/headers/x-request-id").asText())
          .isEqualTo("client-id-42");
      assertThat(kept.header("x-request-id")).isEqualTo("client-id-42");

      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\nX-Request-Id: bad id\"<script>\r\n\r\n");
      RawHttp.Response replaced = raw.read();
      assertThat(replaced.header("x-request-id")).doesNotContain("script").hasSize(36);
    }
  }

  @Test
  void trustedProxyHeadersAreAppendedTo() throws Exception {
    gateway.close();
    gateway =
        Gateway.start(
            TestGateways.config(
                TestGateways.server(1, Duration.ofSeconds(5), List.of(Cidr.parse("127.0.0.0/8")))
                    .withTransport(transport),
                TestGateways.upstream(
                    "backend",
                    List.of(upstream.uri()),
                    Duration.ofSeconds(5),
                    8,
                    LoadBalancing.ROUND_ROBIN)));
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "GET /headers HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 203.0.113.7\r\n"
              + "X-Forwarded-Proto: https\r\nForwarded: for=203.0.113.7;proto=https\r\n\r\n");
      JsonNode headers = JSON.readTree(raw.read().body()).get("headers");
      assertThat(headers.get("x-forwarded-for").asText()).isEqualTo("203.0.113.7, 127.0.0.1");
      assertThat(headers.get("x-forwarded-proto").asText()).isEqualTo("https");
      assertThat(headers.get("forwarded").asText())
          .isEqualTo("for=203.0.113.7;proto=https, for=127.0.0.1;host=h;proto=http");
    }
  }

  @Test
  void noRouteAnswers404WithJsonError() throws Exception {
    restartWithOnlyTheApiRoute();
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(404);
      assertThat(response.header("content-type")).isEqualTo("application/json");
      JsonNode json = JSON.readTree(response.body());
      assertThat(json.get("error").asText()).isEqualTo("no_route");
      assertThat(json.get("message").asText()).contains("/nowhere");
      assertThat(json.get("request_id").asText()).isEqualTo(response.header("x-request-id"));
      // the connection stays usable after a local answer
      raw.send("GET /api/headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
    }
    assertThat(upstream.requests()).isEqualTo(1);
  }

  @Test
  void expectContinueIsAnsweredByTheGateway() throws Exception {
    byte[] body = randomBytes(5000);
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(url("/sink"))
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("bytes").asLong()).isEqualTo(5000);
  }

  @Test
  void headRequestGetsHeadersWithoutBody() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("HEAD /bytes?n=10 HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response head = raw.readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-length")).isEqualTo("10");
      // A body would be read as the start of the next response.
      raw.send("GET /bytes?n=2 HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(raw.read().body()).isEqualTo("ab");
    }
  }

  @Test
  void http10ClientGetsItsResponseAndTheConnectionCloses() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /bytes?n=5&chunked=true HTTP/1.0\r\nHost: h\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("abcde");
      assertThat(response.header("transfer-encoding")).isNull();
    }
  }

  @Test
  void staleReusedConnectionIsRetriedOnceForABodilessRequest() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /arm-close HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(raw.read().body()).isEqualTo("armed");
      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).contains("\"uri\":\"/headers\"");
    }
    assertThat(upstream.acceptedConnections()).isEqualTo(2);
  }

  @Test
  void staleReusedConnectionIsNotRetriedOnceBodyBytesWereSent() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /arm-close HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(raw.read().body()).isEqualTo("armed");
      raw.send("POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(502);
      assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("upstream_reset");
    }
    assertThat(upstream.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void upstreamClosingWithoutResponseOnAFreshConnectionIs502() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(url("/close")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("upstream_reset");
  }

  @Test
  void largeResponseStreamsToASlowReader() throws Exception {
    long size = 20L * 1024 * 1024;
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(url("/bytes?n=" + size)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    long read = 0;
    byte[] buffer = new byte[8192];
    try (InputStream in = response.body()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] != TestUpstream.patternByte(read + i)) {
            throw new AssertionError("byte " + (read + i) + " differs");
          }
        }
        read += n;
        if (read % (4 * 1024 * 1024) < 8192) {
          Thread.sleep(20); // a slow client: the gateway must pause the upstream, not buffer
        }
      }
    }
    assertThat(read).isEqualTo(size);
  }

  @Test
  void adminHealthEndpointsReportReadyWithUpstreams() throws Exception {
    URI ready =
        URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort() + "/health/ready");
    HttpResponse<String> response =
        client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("status").asText()).isEqualTo("ready");
    assertThat(json.at("/upstreams/backend/targets/0/url").asText())
        .isEqualTo("http://127.0.0.1:" + upstream.port());

    URI live = URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort() + "/health/live");
    assertThat(
            client
                .send(HttpRequest.newBuilder(live).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    String unknown =
        client
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + gateway.adminAddress().getPort() + "/nope"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(unknown).contains("\"error\":\"not_found\"");
  }

  @Test
  void malformedRequestGets400AndTheConnectionCloses() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\nBad Header Without Colon\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(400);
      assertThat(response.body()).contains("\"error\":\"bad_request\"");
      assertThat(raw.closedByPeer()).isTrue();
    }
    assertThat(upstream.requests()).isZero();
  }

  @Test
  void traceContextReachesTheUpstreamWithTheGatewayAsParentAndErrorsCarryTheTraceId()
      throws Exception {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "GET /headers HTTP/1.1\r\nHost: h\r\ntraceparent: 00-"
              + trace
              + "-00f067aa0ba902b7-01\r\n"
              + "tracestate: congo=t61rcWkgMzE\r\n\r\n");
      JsonNode headers = JSON.readTree(raw.read().body()).get("headers");
      String upstreamParent = headers.get("traceparent").asText();
      assertThat(upstreamParent)
          .matches("00-" + trace + "-[0-9a-f]{16}-01")
          .doesNotContain("00f067aa0ba902b7");
      assertThat(headers.get("tracestate").asText()).isEqualTo("congo=t61rcWkgMzE");

      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      JsonNode fresh = JSON.readTree(raw.read().body()).get("headers");
      assertThat(fresh.get("traceparent").asText()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }
    restartWithOnlyTheApiRoute();
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "GET /nowhere HTTP/1.1\r\nHost: h\r\ntraceparent: 00-"
              + trace
              + "-00f067aa0ba902b7-01\r\n\r\n");
      assertThat(JSON.readTree(raw.read().body()).get("trace_id").asText()).isEqualTo(trace);
    }
  }

  /** Replaces the gateway with one whose only route is /api/**, so other paths have no route. */
  private void restartWithOnlyTheApiRoute() throws InterruptedException {
    gateway.close();
    var base =
        TestGateways.config(
            TestGateways.server(1, Duration.ofSeconds(5), List.of()).withTransport(transport),
            TestGateways.upstream(
                "backend",
                List.of(upstream.uri()),
                Duration.ofSeconds(5),
                8,
                LoadBalancing.ROUND_ROBIN));
    gateway =
        Gateway.start(
            TestGateways.anonymous(
                new dev.portcullis.core.config.GatewayConfig(
                    base.server(), base.admin(), base.upstreams(), List.of(base.routes().get(0)))));
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
