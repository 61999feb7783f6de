package dev.portcullis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.CircuitBreakerConfig;
import dev.portcullis.core.config.HealthCheckConfig;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.OutlierDetectionConfig;
import dev.portcullis.core.config.RetryConfig;
import dev.portcullis.core.config.UpstreamConfig;
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
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Circuit breakers, health checks, outlier ejection and retries end to end: a real client, the
 * gateway and controllable upstreams on loopback sockets. Durations are short and configured; waits
 * poll with generous deadlines and nothing asserts on speed.
 */
class ResilienceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  static final CircuitBreakerConfig BREAKER_OFF =
      new CircuitBreakerConfig(
          false,
          50,
          20,
          CircuitBreakerConfig.Window.ofSpan(Duration.ofSeconds(10)),
          Duration.ofSeconds(30),
          3);
  static final OutlierDetectionConfig OUTLIERS_OFF =
      new OutlierDetectionConfig(false, 5, Duration.ofSeconds(30), Duration.ofMinutes(5), 50);
  static final RetryConfig NO_RETRIES =
      new RetryConfig(
          1,
          Duration.ofMillis(1),
          Duration.ofMillis(1),
          20,
          10,
          EnumSet.allOf(RetryConfig.Condition.class));

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private TestUpstream upstream() throws InterruptedException {
    TestUpstream upstream = new TestUpstream();
    resources.add(upstream);
    return upstream;
  }

  private static URI closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  /** One worker, so round robin and the per-loop retry budget are deterministic. */
  private Gateway gateway(
      List<URI> targets,
      CircuitBreakerConfig breaker,
      HealthCheckConfig healthCheck,
      OutlierDetectionConfig outliers,
      RetryConfig retry)
      throws InterruptedException {
    UpstreamConfig upstream =
        TestGateways.upstream(
                "backend", targets, Duration.ofSeconds(5), 64, LoadBalancing.ROUND_ROBIN)
            .withResilience(breaker, healthCheck, outliers, retry);
    Gateway gateway = Gateway.start(TestGateways.oneWorker(upstream));
    resources.add(gateway);
    return gateway;
  }

  private HttpResponse<String> send(Gateway gateway, String method, String path, String body)
      throws Exception {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.address().getPort() + path))
            .method(method, publisher)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(Gateway gateway, String path) throws Exception {
    return send(gateway, "GET", path, null);
  }

  private JsonNode admin(Gateway gateway, String path) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private JsonNode targetState(Gateway gateway, int index) throws Exception {
    return admin(gateway, "/admin/upstreams")
        .path("upstreams")
        .path("backend")
        .path("targets")
        .get(index);
  }

  /**
   * The sum of the samples of {@code name} carrying every one of {@code labels} ({@code k="v"}).
   */
  private double metric(Gateway gateway, String name, String... labels) throws Exception {
    String body =
        client
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + gateway.adminAddress().getPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean matches = true;
      for (String label : labels) {
        matches &= line.contains(label);
      }
      if (matches) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private interface Check {
    boolean test() throws Exception;
  }

  private static BooleanSupplier unchecked(Check check) {
    return () -> {
      try {
        return check.test();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };
  }

  @Test
  void anOpenCircuitAnswers503WithRetryAfterWithoutCallingTheTargetAndRecoversThroughHalfOpen()
      throws Exception {
    TestUpstream upstream = upstream().failWith(500);
    Gateway gateway =
        gateway(
            List.of(upstream.uri()),
            new CircuitBreakerConfig(
                true,
                50,
                4,
                CircuitBreakerConfig.Window.ofCalls(4),
                Duration.ofSeconds(3), // long enough that the next request surely meets it open
                1),
            HealthCheckConfig.DEFAULTS,
            OUTLIERS_OFF,
            RetryConfig.DEFAULTS);
    for (int i = 0; i < 4; i++) {
      assertThat(get(gateway, "/anything").statusCode()).isEqualTo(500);
    }
    assertThat(targetState(gateway, 0).path("circuit_breaker").asText()).isEqualTo("open");

    HttpResponse<String> refused = get(gateway, "/anything");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()))
        .isBetween(1L, 3L);
    JsonNode error = JSON.readTree(refused.body());
    assertThat(error.path("error").asText()).isEqualTo("no_healthy_upstream");
    assertThat(error.path("request_id").asText()).isNotBlank();
    assertThat(upstream.requests()).isEqualTo(4); // the open circuit did not call the target
    assertThat(metric(gateway, "portcullis_upstream_circuit_breaker_state", "state=\"open\""))
        .isEqualTo(1);
    assertThat(metric(gateway, "portcullis_upstream_circuit_breaker_transitions_total"))
        .isEqualTo(1);

    // The target recovers; after the cool-down one probe goes through and closes the circuit.
    upstream.failWith(0);
    await("the probe to succeed", unchecked(() -> get(gateway, "/anything").statusCode() == 200));
    assertThat(targetState(gateway, 0).path("circuit_breaker").asText()).isEqualTo("closed");
    assertThat(
            admin(gateway, "/health/ready")
                .path("upstreams")
                .path("backend")
                .path("targets")
                .get(0)
                .path("circuit_breaker")
                .asText())
        .isEqualTo("closed");
    assertThat(upstream.requests()).isEqualTo(5);
    assertThat(metric(gateway, "portcullis_upstream_circuit_breaker_transitions_total"))
        .isEqualTo(3); // open, half_open, closed
  }

  @Test
  void whenEveryTargetIsEjectedTheGatewayAnswers503WithRetryAfterAtOnce() throws Exception {
    Gateway gateway =
        gateway(
            List.of(closedPort(), closedPort()),
            BREAKER_OFF,
            HealthCheckConfig.DEFAULTS,
            new OutlierDetectionConfig(true, 1, Duration.ofSeconds(30), Duration.ofMinutes(5), 100),
            NO_RETRIES);
    assertThat(get(gateway, "/a").statusCode()).isEqualTo(502);
    assertThat(get(gateway, "/a").statusCode()).isEqualTo(502);
    double connectErrors = metric(gateway, "portcullis_upstream_connect_errors_total");
    assertThat(connectErrors).isEqualTo(2);

    HttpResponse<String> refused = get(gateway, "/a");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()))
        .isBetween(1L, 30L);
    assertThat(JSON.readTree(refused.body()).path("error").asText())
        .isEqualTo("no_healthy_upstream");
    assertThat(metric(gateway, "portcullis_upstream_connect_errors_total"))
        .isEqualTo(connectErrors); // no target was tried
    assertThat(metric(gateway, "portcullis_upstream_ejections_total")).isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      assertThat(targetState(gateway, i).path("ejected_until").isTextual()).isTrue();
    }
  }

  @Test
  void aTargetFailingItsHealthChecksIsSkippedUntilItPassesThemAgain() throws Exception {
    TestUpstream a = upstream();
    TestUpstream b = upstream();
    a.healthStatus(503);
    Gateway gateway =
        gateway(
            List.of(a.uri(), b.uri()),
            BREAKER_OFF,
            new HealthCheckConfig(
                true, "/health", Duration.ofMillis(50), Duration.ofSeconds(2), 2, 2),
            OUTLIERS_OFF,
            NO_RETRIES);
    await(
        "target a to be unhealthy",
        unchecked(() -> !targetState(gateway, 0).path("healthy").asBoolean()));
    assertThat(targetState(gateway, 1).path("healthy").asBoolean()).isTrue();
    for (int i = 0; i < 6; i++) {
      assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    }
    assertThat(a.requestsExceptHealthChecks()).isZero();
    assertThat(b.requestsExceptHealthChecks()).isEqualTo(6);
    assertThat(b.requestLines()).contains("GET /health");
    assertThat(metric(gateway, "portcullis_upstream_healthy", "target=\"" + hostPort(a))).isZero();
    assertThat(
            metric(
                gateway,
                "portcullis_upstream_health_checks_total",
                "result=\"failure\"",
                "target=\"" + hostPort(a)))
        .isGreaterThanOrEqualTo(2);

    a.healthStatus(200);
    await(
        "target a to be healthy again",
        unchecked(() -> targetState(gateway, 0).path("healthy").asBoolean()));
    for (int i = 0; i < 6; i++) {
      assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    }
    assertThat(a.requestsExceptHealthChecks()).isEqualTo(3);
    assertThat(b.requestsExceptHealthChecks()).isEqualTo(9);
  }

  private static String hostPort(TestUpstream upstream) {
    return "http://127.0.0.1:" + upstream.port();
  }

  @Test
  void consecutiveFailuresEjectATargetUntilItsEjectionEnds() throws Exception {
    TestUpstream a = upstream().failWith(500);
    TestUpstream b = upstream();
    Gateway gateway =
        gateway(
            List.of(a.uri(), b.uri()),
            BREAKER_OFF,
            HealthCheckConfig.DEFAULTS,
            // Long enough that the ejection surely outlasts the requests checked during it.
            new OutlierDetectionConfig(true, 3, Duration.ofSeconds(4), Duration.ofSeconds(10), 50),
            NO_RETRIES);
    while (a.requests() < 3) {
      get(gateway, "/headers");
    }
    assertThat(targetState(gateway, 0).path("ejected_until").isTextual()).isTrue();
    assertThat(targetState(gateway, 1).path("ejected_until").isNull()).isTrue();
    int bBefore = b.requests();
    for (int i = 0; i < 6; i++) {
      assertThat(get(gateway, "/headers").statusCode()).isEqualTo(200);
    }
    assertThat(a.requests()).isEqualTo(3);
    assertThat(b.requests()).isEqualTo(bBefore + 6);
    assertThat(metric(gateway, "portcullis_upstream_ejected", "target=\"" + hostPort(a)))
        .isEqualTo(1);

    a.failWith(0);
    await(
        "target a to be called again",
        unchecked(
            () -> {
              get(gateway, "/headers");
              return a.requests() > 3;
            }));
    assertThat(targetState(gateway, 0).path("ejected_until").isNull()).isTrue();
    assertThat(metric(gateway, "portcullis_upstream_ejections_total")).isEqualTo(1);
  }

  @Test
  void ejectionNeverTakesOutMoreThanTheConfiguredShareOfThePool() throws Exception {
    TestUpstream a = upstream().failWith(500);
    TestUpstream b = upstream().failWith(500);
    Gateway gateway =
        gateway(
            List.of(a.uri(), b.uri()),
            BREAKER_OFF,
            HealthCheckConfig.DEFAULTS,
            new OutlierDetectionConfig(true, 2, Duration.ofSeconds(30), Duration.ofMinutes(5), 50),
            NO_RETRIES);
    for (int i = 0; i < 12; i++) {
      assertThat(get(gateway, "/headers").statusCode()).isEqualTo(500);
    }
    int ejected = 0;
    for (int i = 0; i < 2; i++) {
      ejected += targetState(gateway, i).path("ejected_until").isTextual() ? 1 : 0;
    }
    assertThat(ejected).isEqualTo(1);
    assertThat(metric(gateway, "portcullis_upstream_ejections_total")).isEqualTo(1);
    assertThat(a.requests() + b.requests()).isEqualTo(12);
  }

  @Test
  void aPostIsNeverRetriedNorAPutWithABody() throws Exception {
    TestUpstream a = upstream().failWith(503);
    TestUpstream b = upstream();
    Gateway gateway =
        gateway(
            List.of(a.uri(), b.uri()),
            BREAKER_OFF,
            HealthCheckConfig.DEFAULTS,
            OUTLIERS_OFF,
            new RetryConfig(
                3,
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                100,
                100,
                EnumSet.allOf(RetryConfig.Condition.class)));
    List<Integer> statuses = new ArrayList<>();
    for (String method : List.of("POST", "POST", "PATCH", "PATCH", "PUT", "PUT")) {
      // Alternating targets: each pair sends one to the failing target.
      statuses.add(
          send(gateway, method, "/sink", method.equals("PATCH") ? null : "x").statusCode());
    }
    assertThat(statuses).containsExactly(503, 200, 503, 200, 503, 200);
    assertThat(a.requests()).isEqualTo(3);
    assertThat(b.requests()).isEqualTo(3);
    assertThat(metric(gateway, "portcullis_upstream_retries_total")).isZero();
  }

  @Test
  void aGetIsRetriedOnAnotherTargetAfterAConnectFailureA503OrAReset() throws Exception {
    URI down = closedPort();
    TestUpstream failing = upstream().failWith(503);
    TestUpstream resetting = upstream().failWith(-1);
    TestUpstream good = upstream();
    Gateway gateway =
        gateway(
            List.of(down, failing.uri(), resetting.uri(), good.uri()),
            BREAKER_OFF,
            HealthCheckConfig.DEFAULTS,
            OUTLIERS_OFF,
            new RetryConfig(
                4,
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                100,
                100,
                EnumSet.allOf(RetryConfig.Condition.class)));
    // Round robin from the first target: down, then 503, then reset, then the good one.
    HttpResponse<String> response = get(gateway, "/headers");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode echoed = JSON.readTree(response.body());
    assertThat(echoed.path("method").asText()).isEqualTo("GET");
    assertThat(echoed.path("headers").path("host").asText()).isEqualTo(hostPort(good).substring(7));
    assertThat(failing.requests()).isEqualTo(1);
    assertThat(resetting.requests()).isGreaterThanOrEqualTo(1);
    assertThat(good.requests()).isEqualTo(1);
    assertThat(metric(gateway, "portcullis_upstream_retries_total", "result=\"attempted\""))
        .isEqualTo(3);
    // The client saw one response, the good one: nothing of the failed attempts.
    assertThat(response.headers().allValues("x-request-id")).hasSize(1);
  }

  @Test
  void theRetryBudgetCapsRetriesWhenManyRequestsFailAtOnce() throws Exception {
    TestUpstream a = upstream().failWith(503);
    TestUpstream b = upstream().failWith(503);
    Gateway gateway =
        gateway(
            List.of(a.uri(), b.uri()),
            BREAKER_OFF,
            HealthCheckConfig.DEFAULTS,
            OUTLIERS_OFF,
            new RetryConfig(
                2,
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                10,
                1,
                EnumSet.allOf(RetryConfig.Condition.class)));
    int requests = 100;
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      responses.add(
          client.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/x" + i))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().statusCode()).isEqualTo(503);
    }
    double retried = metric(gateway, "portcullis_upstream_retries_total", "result=\"attempted\"");
    double refused =
        metric(gateway, "portcullis_upstream_retries_total", "result=\"budget_exhausted\"");
    // 10 % of 100 requests plus a floor of 1/s over the 10 s window: about 20, far from 100.
    assertThat(retried).isBetween(1.0, 30.0);
    assertThat(retried + refused).isEqualTo(requests);
    assertThat(a.requests() + b.requests()).isEqualTo(requests + (int) retried);
  }

  @Test
  void responseTimeoutsAndConnectFailuresCountAsBreakerFailuresToo() throws Exception {
    TestUpstream silent = upstream();
    UpstreamConfig upstream =
        TestGateways.upstream(
                "backend",
                List.of(silent.uri()),
                Duration.ofMillis(200),
                64,
                LoadBalancing.ROUND_ROBIN)
            .withResilience(
                new CircuitBreakerConfig(
                    true, 100, 2, CircuitBreakerConfig.Window.ofCalls(2), Duration.ofMinutes(1), 1),
                HealthCheckConfig.DEFAULTS,
                OUTLIERS_OFF,
                RetryConfig.DEFAULTS);
    Gateway gateway = Gateway.start(TestGateways.oneWorker(upstream));
    resources.add(gateway);
    assertThat(get(gateway, "/silent").statusCode()).isEqualTo(504);
    assertThat(get(gateway, "/silent").statusCode()).isEqualTo(504);
    HttpResponse<String> refused = get(gateway, "/silent");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()))
        .isBetween(1L, 60L);
    assertThat(silent.requests()).isEqualTo(2);

    Gateway refusing =
        gateway(
            List.of(closedPort()),
            new CircuitBreakerConfig(
                true, 100, 2, CircuitBreakerConfig.Window.ofCalls(2), Duration.ofMinutes(1), 1),
            HealthCheckConfig.DEFAULTS,
            OUTLIERS_OFF,
            RetryConfig.DEFAULTS);
    assertThat(get(refusing, "/a").statusCode()).isEqualTo(502);
    assertThat(get(refusing, "/a").statusCode()).isEqualTo(502);
    assertThat(get(refusing, "/a").statusCode()).isEqualTo(503);
    assertThat(metric(refusing, "portcullis_upstream_connect_errors_total")).isEqualTo(2);
  }
}
