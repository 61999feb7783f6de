package dev.portcullis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pool limits, failures and balancing, against real upstream sockets. */
class UpstreamPoolIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private Gateway gateway(
      List<URI> targets,
      Duration responseTimeout,
      int maxConnections,
      LoadBalancing lb,
      int workers)
      throws InterruptedException {
    Gateway gateway =
        Gateway.start(
            TestGateways.config(
                TestGateways.server(workers, Duration.ofSeconds(5), List.of()),
                TestGateways.upstream("backend", targets, responseTimeout, maxConnections, lb)));
    resources.add(gateway);
    return gateway;
  }

  private TestUpstream upstream() throws InterruptedException {
    TestUpstream upstream = new TestUpstream();
    resources.add(upstream);
    return upstream;
  }

  private static URI url(Gateway gateway, String path) {
    return URI.create("http://127.0.0.1:" + gateway.address().getPort() + path);
  }

  private HttpResponse<String> get(Gateway gateway, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(url(gateway, path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void connectionLimitHoldsUnderConcurrencyAndWaitersAreServed() throws Exception {
    TestUpstream upstream = upstream();
    Gateway gateway =
        gateway(List.of(upstream.uri()), Duration.ofSeconds(10), 2, LoadBalancing.ROUND_ROBIN, 2);
    // Many client connections at once, spread over both event loops.
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      clients.add(own);
      responses.add(
          own.sendAsync(
              HttpRequest.newBuilder(url(gateway, "/slow?ms=50")).build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().statusCode()).isEqualTo(200);
      assertThat(response.get().body()).isEqualTo("slow ok");
    }
    assertThat(upstream.requests()).isEqualTo(20);
    // Not the upstream's count of open connections: when a loop closes an idle connection to give
    // its permit to a loop with waiters, the new connection can be accepted before the old one's
    // close arrives, and the upstream sees three for a moment although the gateway never held them.
    assertThat(upstream.maxConcurrentSlowRequests()).isEqualTo(2);
  }

  @Test
  void pendingQueueOverflowIs503() throws Exception {
    TestUpstream upstream = upstream();
    Gateway gateway =
        Gateway.start(
            TestGateways.config(
                TestGateways.server(1, Duration.ofSeconds(5), List.of()),
                TestGateways.upstream(
                    "backend",
                    List.of(upstream.uri()),
                    Duration.ofSeconds(10),
                    1,
                    0,
                    Duration.ofSeconds(60),
                    LoadBalancing.ROUND_ROBIN)));
    resources.add(gateway);
    HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> holder =
        other.sendAsync(
            HttpRequest.newBuilder(url(gateway, "/slow?ms=500")).build(),
            HttpResponse.BodyHandlers.ofString());
    while (upstream.requests() == 0) {
      Thread.sleep(5);
    }
    HttpResponse<String> rejected = get(gateway, "/headers");
    assertThat(rejected.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(rejected.body()).get("error").asText())
        .isEqualTo("upstream_overloaded");
    assertThat(holder.get().statusCode()).isEqualTo(200);
  }

  @Test
  void upstreamDownIs502WithoutWaitingForTheConnectTimeout() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Gateway gateway =
        gateway(
            List.of(URI.create("http://127.0.0.1:" + closedPort)),
            Duration.ofSeconds(30),
            8,
            LoadBalancing.ROUND_ROBIN,
            1);
    long start = System.nanoTime();
    HttpResponse<String> response = get(gateway, "/anything");
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(response.statusCode()).isEqualTo(502);
    var json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo("upstream_unavailable");
    assertThat(json.get("request_id").asText()).isNotBlank();
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.");
    // A refused connection is reported at once, not after the 2 s connect timeout.
    assertThat(elapsedMillis).isLessThan(1500);
  }

  @Test
  void silentUpstreamIs504AtTheResponseTimeout() throws Exception {
    TestUpstream upstream = upstream();
    Gateway gateway =
        gateway(List.of(upstream.uri()), Duration.ofMillis(400), 8, LoadBalancing.ROUND_ROBIN, 1);
    assertTimesOutAfter(gateway, "/silent", 400);
    // The timed-out connection is not reused: the next request works on a fresh one.
    assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    assertThat(upstream.acceptedConnections()).isEqualTo(2);
  }

  @Test
  void aReusedConnectionTimesEachResponseFromItsOwnRequest() throws Exception {
    TestUpstream upstream = upstream();
    Gateway gateway =
        gateway(List.of(upstream.uri()), Duration.ofMillis(1000), 1, LoadBalancing.ROUND_ROBIN, 1);
    assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    // The connection's timer was armed for the first request's deadline; this request is sent
    // 700 ms later and answered 600 ms after that, past the first deadline but within its own.
    Thread.sleep(700);
    HttpResponse<String> slow = get(gateway, "/slow?ms=600");
    assertThat(slow.statusCode()).isEqualTo(200);
    assertThat(slow.body()).isEqualTo("slow ok");
    // And a silent upstream still times out on the same kept-alive connection.
    assertTimesOutAfter(gateway, "/silent", 1000);
    assertThat(upstream.acceptedConnections()).isEqualTo(1);
  }

  @Test
  void aRouteWithAShorterTimeoutIsNotHeldToALongerOneArmedEarlier() throws Exception {
    TestUpstream upstream = upstream();
    // The upstream's own response timeout is 10 s; the route's is 300 ms.
    GatewayConfig base = TestGateways.config(upstream.uri(), ServerLimits.DEFAULTS);
    Gateway gateway =
        Gateway.start(
            TestGateways.anonymous(
                base.withRoutes(
                    List.of(
                        new RouteConfig(
                            "short",
                            "/short/**",
                            null,
                            null,
                            List.of(),
                            "backend",
                            "/short",
                            null,
                            Duration.ofMillis(300)),
                        RouteConfig.glob("all", "/**", "backend")))));
    resources.add(gateway);
    // Arms the connection's timer 10 s out.
    assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    assertTimesOutAfter(gateway, "/short/silent", 300);
  }

  /** The request gets the gateway's 504 upstream_timeout, no sooner than the timeout. */
  private void assertTimesOutAfter(Gateway gateway, String path, long timeoutMillis)
      throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = get(gateway, path);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("upstream_timeout");
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(timeoutMillis).isLessThan(5000);
  }

  @Test
  void roundRobinSpreadsRequestsEvenly() throws Exception {
    TestUpstream a = upstream();
    TestUpstream b = upstream();
    Gateway gateway =
        gateway(List.of(a.uri(), b.uri()), Duration.ofSeconds(5), 8, LoadBalancing.ROUND_ROBIN, 1);
    for (int i = 0; i < 10; i++) {
      assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    }
    assertThat(a.requests()).isEqualTo(5);
    assertThat(b.requests()).isEqualTo(5);
  }

  @Test
  void leastRequestAvoidsTheBusyTarget() throws Exception {
    TestUpstream a = upstream();
    TestUpstream b = upstream();
    Gateway gateway =
        gateway(
            List.of(a.uri(), b.uri()), Duration.ofSeconds(5), 8, LoadBalancing.LEAST_REQUEST, 1);
    HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> slow =
        other.sendAsync(
            HttpRequest.newBuilder(url(gateway, "/slow?ms=1500")).build(),
            HttpResponse.BodyHandlers.ofString());
    while (a.requests() + b.requests() == 0) {
      Thread.sleep(5);
    }
    TestUpstream busy = a.requests() == 1 ? a : b;
    TestUpstream free = busy == a ? b : a;
    for (int i = 0; i < 4; i++) {
      assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    }
    assertThat(free.requests()).isEqualTo(4);
    assertThat(busy.requests()).isEqualTo(1);
    assertThat(slow.get().statusCode()).isEqualTo(200);
  }

  @Test
  void idleConnectionsAreEvicted() throws Exception {
    TestUpstream upstream = upstream();
    Gateway gateway =
        Gateway.start(
            TestGateways.config(
                TestGateways.server(1, Duration.ofSeconds(5), List.of()),
                TestGateways.upstream(
                    "backend",
                    List.of(upstream.uri()),
                    Duration.ofSeconds(5),
                    8,
                    8,
                    Duration.ofMillis(200),
                    LoadBalancing.ROUND_ROBIN)));
    resources.add(gateway);
    assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    assertThat(upstream.openConnections()).isEqualTo(1);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (upstream.openConnections() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(upstream.openConnections()).isZero();
    assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    assertThat(upstream.acceptedConnections()).isEqualTo(2);
  }
}
