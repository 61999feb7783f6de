package dev.portcullis.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.AccessLogConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known traffic through a real gateway, then {@code /metrics} and the access log file checked. */
class ObservabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  @TempDir Path dir;
  private TestUpstream upstream;
  private Gateway gateway;
  private Path accessLog;
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    accessLog = dir.resolve("access.json");
    GatewayConfig config =
        TestGateways.config(upstream.uri())
            .withAccessLog(new AccessLogConfig(true, AccessLogConfig.Destination.FILE, accessLog));
    gateway = Gateway.start(TestGateways.anonymous(config));
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  @Test
  void countersAndHistogramsMoveByExactlyTheTrafficSent() throws Exception {
    try (RawHttp http = new RawHttp(gateway.address())) {
      for (int i = 0; i < 3; i++) {
        http.send("GET /api/a HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(http.read().status()).isEqualTo(200);
      }
      http.send("POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(http.read().status()).isEqualTo(200);
      http.send("DELETE /api/a HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
    }
    try (RawHttp http = new RawHttp(gateway.address())) {
      // The upstream closes without answering: 502.
      http.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(502);
    }
    awaitNoneInFlight();

    Scrape text = scrape(null);
    assertThat(text.contentType).startsWith("text/plain; version=0.0.4");
    Map<String, Double> m = text.samples;
    assertThat(m)
        .containsEntry("portcullis_requests_total{method=GET,route=api,status_class=2xx}", 3.0)
        .containsEntry("portcullis_requests_total{method=DELETE,route=api,status_class=2xx}", 1.0)
        .containsEntry("portcullis_requests_total{method=POST,route=all,status_class=2xx}", 1.0)
        .containsEntry("portcullis_requests_total{method=GET,route=all,status_class=5xx}", 1.0)
        .containsEntry("portcullis_requests_total{method=GET,route=all,status_class=2xx}", 0.0)
        .containsEntry("portcullis_request_duration_seconds_count{route=api}", 4.0)
        .containsEntry("portcullis_request_duration_seconds_bucket{le=+Inf,route=api}", 4.0)
        .containsEntry("portcullis_request_duration_seconds_bucket{le=10.0,route=api}", 4.0)
        .containsEntry("portcullis_request_duration_seconds_count{route=all}", 2.0)
        .containsEntry("portcullis_gateway_overhead_seconds_count{route=api}", 4.0)
        .containsEntry("portcullis_request_body_bytes_total{route=all}", 5.0)
        .containsEntry("portcullis_response_body_bytes_total{route=api}", 8.0) // 4 x "ok"
        .containsEntry("portcullis_requests_in_flight", 0.0)
        .containsKey("portcullis_netty_allocator_used_bytes{area=direct}")
        .containsKey("jvm_memory_used_bytes{area=heap}")
        .containsKey("portcullis_event_loop_pending_tasks{loop=1}");
    String target = "target=http://127.0.0.1:" + upstream.port() + ",upstream=backend";
    // One connection for the first client's requests, a fresh one for /close, another after it.
    assertThat(m.get("portcullis_upstream_connect_seconds_count{" + target + "}"))
        .isGreaterThanOrEqualTo(2.0);
    assertThat(m)
        .containsEntry("portcullis_upstream_response_seconds_count{" + target + "}", 5.0)
        .containsEntry("portcullis_upstream_connect_errors_total{" + target + "}", 0.0)
        .containsEntry("portcullis_upstream_timeouts_total{phase=response," + target + "}", 0.0);
    // Nothing is in flight any more: every open upstream connection waits idle in its pool.
    assertThat(m.get("portcullis_upstream_connections_open{" + target + "}"))
        .isGreaterThanOrEqualTo(1.0)
        .isEqualTo(m.get("portcullis_upstream_connections_idle{" + target + "}"));
    // The sub-millisecond buckets exist, so a fast request's overhead can be seen.
    assertThat(m).containsKey("portcullis_gateway_overhead_seconds_bucket{le=1.0E-5,route=api}");
    assertThat(text.body).doesNotContain("/api/a").doesNotContain("/close");
  }

  @Test
  void openMetricsWhenTheScraperAsksForIt() throws Exception {
    try (RawHttp http = new RawHttp(gateway.address())) {
      http.send("GET /api/a HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
    }
    awaitNoneInFlight();

    Scrape om = scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(om.contentType).startsWith("application/openmetrics-text");
    assertThat(om.body).contains("# TYPE portcullis_requests counter").endsWith("# EOF\n");
    assertThat(om.samples)
        .containsEntry("portcullis_requests_total{method=GET,route=api,status_class=2xx}", 1.0)
        .containsEntry("portcullis_request_duration_seconds_count{route=api}", 1.0);
    assertThat(om.body).contains("# UNIT portcullis_request_duration_seconds seconds");

    // The health endpoints still answer as before.
    HttpResponse<String> live =
        client.send(
            HttpRequest.newBuilder(adminUrl("/health/live")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).isEqualTo("{\"status\":\"live\"}");
  }

  @Test
  void accessLogLineHoldsTheRequestsValues() throws Exception {
    Instant before = Instant.now();
    try (RawHttp http = new RawHttp(gateway.address())) {
      http.send(
          "POST /api/sink?token=s3cr3t HTTP/1.1\r\nHost: x\r\nUser-Agent: obs-agent/1.0 \"q\"\r\n"
              + "X-Request-Id: obs-req-1\r\n"
              + "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
              + "Content-Length: 3\r\n\r\nabc");
      RawHttp.Response response = http.read();
      assertThat(response.status()).isEqualTo(200);
      http.send("GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-Id: obs-req-2\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
    }
    awaitNoneInFlight();
    Instant after = Instant.now();

    JsonNode line = awaitLogLine("obs-req-1");
    int bodyLength = "{\"bytes\":3,\"sha256\":\"".length() + 64 + "\"}".length();
    assertThat(line.get("http.request.method").asText()).isEqualTo("POST");
    assertThat(line.get("url.path").asText()).isEqualTo("/api/sink");
    assertThat(line.get("http.response.status_code").asInt()).isEqualTo(200);
    assertThat(line.get("client.ip").asText()).isEqualTo("127.0.0.1");
    assertThat(line.get("http.request.body.bytes").asLong()).isEqualTo(3);
    assertThat(line.get("http.response.body.bytes").asLong()).isEqualTo(bodyLength);
    assertThat(line.get("labels.route").asText()).isEqualTo("api");
    assertThat(line.get("labels.upstream_target").asText())
        .isEqualTo("http://127.0.0.1:" + upstream.port());
    assertThat(line.get("user_agent.original").asText()).isEqualTo("obs-agent/1.0 \"q\"");
    assertThat(line.get("trace.id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    long duration = line.get("event.duration").asLong();
    long upstreamDuration = line.get("portcullis.upstream.duration").asLong();
    assertThat(upstreamDuration).isPositive().isLessThanOrEqualTo(duration);
    assertThat(Duration.ofNanos(duration))
        .isLessThan(Duration.between(before, after).plusMillis(5));
    Instant timestamp = Instant.parse(line.get("@timestamp").asText());
    assertThat(timestamp).isBetween(before.minusMillis(1), after);
    assertThat(line.toString()).doesNotContain("s3cr3t");

    JsonNode other = awaitLogLine("obs-req-2");
    assertThat(other.get("labels.route").asText()).isEqualTo("all");
    assertThat(other.get("url.path").asText()).isEqualTo("/nowhere");
  }

  private void awaitNoneInFlight() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (gateway.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(gateway.inFlight()).isZero();
  }

  private JsonNode awaitLogLine(String requestId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      if (Files.exists(accessLog)) {
        for (String line : Files.readAllLines(accessLog)) {
          JsonNode json = JSON.readTree(line);
          if (requestId.equals(json.path("labels.request_id").asText())) {
            return json;
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no access log line for " + requestId + " in " + accessLog);
      }
      Thread.sleep(10);
    }
  }

  private URI adminUrl(String path) {
    InetSocketAddress admin = gateway.adminAddress();
    return URI.create("http://127.0.0.1:" + admin.getPort() + path);
  }

  private record Scrape(String contentType, String body, Map<String, Double> samples) {}

  private Scrape scrape(String accept) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(adminUrl("/metrics"));
    if (accept != null) {
      request.header("Accept", accept);
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new Scrape(
        response.headers().firstValue("content-type").orElse(""),
        response.body(),
        samples(response.body()));
  }

  /** Sample lines keyed by name and sorted labels, {@code name{a=x,b=y}}; values as doubles. */
  private static Map<String, Double> samples(String exposition) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        // OpenMetrics may add a timestamp or exemplar after the value; the prefix is enough.
        sample = SAMPLE.matcher(line.substring(0, line.lastIndexOf(' ')));
        assertThat(sample.matches()).as("sample line: %s", line).isTrue();
      }
      Map<String, String> labels = new TreeMap<>();
      if (sample.group(2) != null) {
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      StringBuilder key = new StringBuilder(sample.group(1));
      if (!labels.isEmpty()) {
        key.append('{');
        labels.forEach((k, v) -> key.append(k).append('=').append(v).append(','));
        key.setLength(key.length() - 1);
        key.append('}');
      }
      samples.put(key.toString(), Double.parseDouble(sample.group(3)));
    }
    return samples;
  }
}
