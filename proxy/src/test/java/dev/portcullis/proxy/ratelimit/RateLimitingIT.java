package dev.portcullis.proxy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.RateLimitsConfig.Algorithm;
import dev.portcullis.core.config.RateLimitsConfig.FailMode;
import dev.portcullis.core.config.RateLimitsConfig.KeyPart;
import dev.portcullis.core.config.RateLimitsConfig.Scope;
import dev.portcullis.core.config.RateSpec;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.config.Secret;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.FilterOrder;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import dev.portcullis.core.testing.PrivateRedis;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import dev.portcullis.ratelimit.filter.RateLimiting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate limits through real gateways, with a real Redis for cluster scope. */
class RateLimitingIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
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

  private static RateLimitsConfig.Policy policy(
      String name, KeyPart key, String limit, Scope scope, Algorithm algorithm) {
    return new RateLimitsConfig.Policy(
        name, List.of(key), algorithm, RateSpec.parse(limit), 0, scope, Set.of(), Set.of());
  }

  private GatewayConfig config(RateLimitsConfig limits) {
    GatewayConfig base = TestGateways.oneWorker(upstream.uri());
    return new GatewayConfig(base.server(), base.admin(), base.upstreams(), base.routes(), limits);
  }

  private Gateway gateway(GatewayConfig config) throws InterruptedException {
    Gateway gateway = Gateway.start(TestGateways.anonymous(config));
    resources.add(gateway);
    return gateway;
  }

  private static RateLimitsConfig.Redis redis(PrivateRedis server, FailMode mode) {
    return new RateLimitsConfig.Redis(
        Secret.of(server.uri()), Duration.ofMillis(300), mode, 2, Duration.ofMillis(200));
  }

  private HttpResponse<String> get(Gateway gateway, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.address().getPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void localLimitAddsHeadersToEveryResponseAndRefusesWith429() throws Exception {
    Gateway gateway =
        gateway(
            config(
                new RateLimitsConfig(
                    null,
                    RateLimitsConfig.DEFAULT_KEY_TYPE_LIMITS,
                    List.of(
                        policy(
                            "per-ip",
                            KeyPart.CLIENT_IP,
                            "3/minute",
                            Scope.LOCAL,
                            Algorithm.TOKEN_BUCKET)))));
    for (int i = 0; i < 3; i++) {
      int left = 2 - i;
      HttpResponse<String> ok = get(gateway, "/headers");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("x-ratelimit-limit")).hasValue("3");
      assertThat(ok.headers().firstValue("x-ratelimit-remaining")).hasValue(String.valueOf(2 - i));
      assertThat(ok.headers().firstValue("ratelimit-policy")).hasValue("\"per-ip\";q=3;w=60");
      assertThat(ok.headers().firstValue("ratelimit"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("\"per-ip\";r=" + left + ";t="));
      Instant reset = Instant.parse(ok.headers().firstValue("x-ratelimit-reset").orElseThrow());
      assertThat(reset)
          .isAfter(Instant.now().minusSeconds(1))
          .isBefore(Instant.now().plusSeconds(61));
    }
    HttpResponse<String> refused = get(gateway, "/headers");
    assertThat(refused.statusCode()).isEqualTo(429);
    JsonNode body = JSON.readTree(refused.body());
    assertThat(body.get("error").asText()).isEqualTo("rate_limited");
    assertThat(body.get("request_id").asText())
        .isEqualTo(refused.headers().firstValue("x-request-id").orElseThrow());
    assertThat(refused.headers().firstValueAsLong("retry-after").orElseThrow()).isBetween(1L, 20L);
    assertThat(refused.headers().firstValue("ratelimit-reason")).hasValue("per-ip");
    assertThat(refused.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
    assertThat(refused.headers().firstValue("x-ratelimit-nearlimit")).hasValue("true");
    assertThat(upstream.requests()).isEqualTo(3);

    String metrics =
        client
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + gateway.adminAddress().getPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("portcullis_ratelimit_decisions_total{policy=\"per-ip\",result=\"admitted\"} 3.0")
        .contains("portcullis_ratelimit_decisions_total{policy=\"per-ip\",result=\"refused\"} 1.0")
        .contains("portcullis_ratelimit_redis_breaker_open 0.0");
  }

  @Test
  void policiesApplyOnlyToTheirRoutesAndMethods() throws Exception {
    RateLimitsConfig.Policy postsOnApi =
        new RateLimitsConfig.Policy(
            "api-posts",
            List.of(KeyPart.ROUTE),
            Algorithm.FIXED_WINDOW,
            RateSpec.parse("1/hour"),
            0,
            Scope.LOCAL,
            Set.of("api"),
            Set.of("POST"));
    Gateway gateway =
        gateway(
            config(
                new RateLimitsConfig(
                    null, RateLimitsConfig.DEFAULT_KEY_TYPE_LIMITS, List.of(postsOnApi))));
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> unlimited = get(gateway, "/headers");
      assertThat(unlimited.statusCode()).isEqualTo(200);
      assertThat(unlimited.headers().firstValue("x-ratelimit-limit")).isEmpty();
      assertThat(get(gateway, "/api/headers").statusCode()).isEqualTo(200);
    }
    HttpRequest post =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/api/sink"))
            .POST(HttpRequest.BodyPublishers.ofString("x"))
            .build();
    assertThat(client.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(client.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(429);
  }

  @Test
  void apiKeysGetTheirTypesDefaultOrTheirOwnLimit() throws Exception {
    GatewayConfig config =
        config(
            new RateLimitsConfig(
                null,
                Map.of("user", RateSpec.parse("2/hour"), "service", RateSpec.parse("100/hour")),
                List.of()));
    // Stands in for authentication: the X-Test-Key header names the key and its type.
    RouteFilterFactory fakeAuth =
        new RouteFilterFactory() {
          @Override
          public int order() {
            return FilterOrder.AUTHENTICATION;
          }

          @Override
          public List<RequestFilter> requestFilters(RouteConfig route) {
            return List.of(
                exchange -> {
                  String[] key = exchange.requestHeaders().get("x-test-key").split(":");
                  String override = key.length > 2 ? key[2] : null;
                  exchange.set(
                      Principal.KEY,
                      new Principal(
                          "user-" + key[0],
                          "acme",
                          "api_key",
                          Set.of(),
                          key[0],
                          key[1],
                          null,
                          override));
                  return FilterDecision.CONTINUE;
                });
          }
        };
    RateLimiting limiting = RateLimiting.create(config.rateLimits());
    resources.add(limiting);
    List<RouteFilterFactory> factories = new ArrayList<>(limiting.filterFactories());
    factories.add(fakeAuth);
    Gateway gateway = Gateway.start(config, factories);
    resources.add(gateway);
    URI uri = URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/headers");
    List<Integer> userStatuses = new ArrayList<>();
    List<Integer> overrideStatuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      userStatuses.add(
          client
              .send(
                  HttpRequest.newBuilder(uri).header("X-Test-Key", "k1:user").build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
      overrideStatuses.add(
          client
              .send(
                  HttpRequest.newBuilder(uri).header("X-Test-Key", "k2:user:3/hour").build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
    }
    assertThat(userStatuses).containsExactly(200, 200, 429, 429);
    assertThat(overrideStatuses).containsExactly(200, 200, 200, 429);
    HttpResponse<String> service =
        client.send(
            HttpRequest.newBuilder(uri).header("X-Test-Key", "k3:service").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(service.headers().firstValue("x-ratelimit-limit")).hasValue("100");
    assertThat(service.headers().firstValue("ratelimit-policy"))
        .hasValue("\"api_key_service\";q=100;w=3600");
  }

  @Test
  void twoGatewaysShareOneClusterLimit() throws Exception {
    PrivateRedis redis = new PrivateRedis();
    resources.add(redis);
    RateLimitsConfig limits =
        new RateLimitsConfig(
            redis(redis, FailMode.FAIL_CLOSED),
            RateLimitsConfig.DEFAULT_KEY_TYPE_LIMITS,
            List.of(
                policy(
                    "shared", KeyPart.ROUTE, "10/hour", Scope.CLUSTER, Algorithm.SLIDING_WINDOW)));
    Gateway first = gateway(config(limits));
    Gateway second = gateway(config(limits));
    int admitted = 0;
    int refused = 0;
    for (int i = 0; i < 30; i++) {
      int status = get(i % 2 == 0 ? first : second, "/headers").statusCode();
      if (status == 200) {
        admitted++;
      } else {
        assertThat(status).isEqualTo(429);
        refused++;
      }
    }
    assertThat(admitted).isEqualTo(10);
    assertThat(refused).isEqualTo(20);
    assertThat(upstream.requests()).isEqualTo(10);
  }

  @Test
  void redisOutageFollowsTheFailModeAndLimitsReturnWithRedis() throws Exception {
    PrivateRedis redis = new PrivateRedis();
    resources.add(redis);
    RateLimitsConfig.Policy shared =
        policy("shared", KeyPart.ROUTE, "5/hour", Scope.CLUSTER, Algorithm.FIXED_WINDOW);
    Gateway open =
        gateway(
            config(
                new RateLimitsConfig(
                    redis(redis, FailMode.FAIL_OPEN),
                    RateLimitsConfig.DEFAULT_KEY_TYPE_LIMITS,
                    List.of(shared))));
    Gateway closed =
        gateway(
            config(
                new RateLimitsConfig(
                    redis(redis, FailMode.FAIL_CLOSED),
                    RateLimitsConfig.DEFAULT_KEY_TYPE_LIMITS,
                    List.of(shared))));
    for (int i = 0; i < 5; i++) {
      assertThat(get(i % 2 == 0 ? open : closed, "/headers").statusCode()).isEqualTo(200);
    }
    assertThat(get(open, "/headers").statusCode()).as("the shared limit is used up").isEqualTo(429);

    assertThat(metrics(closed)).contains("portcullis_ratelimit_redis_breaker_open 0.0");
    redis.stop();
    HttpResponse<String> unavailable = get(closed, "/headers");
    assertThat(unavailable.statusCode()).isEqualTo(503);
    get(closed, "/headers"); // a second failure opens the breaker (threshold 2)
    assertThat(metrics(closed))
        .contains("portcullis_ratelimit_redis_breaker_open 1.0")
        .contains("portcullis_ratelimit_redis_errors_total 2.0")
        .containsPattern("portcullis_ratelimit_redis_duration_seconds_count [1-9]");
    assertThat(JSON.readTree(unavailable.body()).get("error").asText())
        .isEqualTo("rate_limiter_unavailable");
    // fail_open falls back to this gateway's own limiter of 5/hour, which has seen nothing yet
    // beyond the pre-check's memory of Redis's refusal; once that lapses it admits locally.
    List<Integer> openStatuses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      openStatuses.add(get(open, "/api/headers").statusCode());
    }
    assertThat(openStatuses.stream().filter(s -> s == 200).count()).isEqualTo(5);
    assertThat(openStatuses.stream().filter(s -> s == 429).count()).isEqualTo(3);

    redis.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int status = 503;
    while (status == 503 && System.nanoTime() < deadline) {
      status = get(closed, "/api/headers").statusCode();
      if (status == 503) {
        Thread.sleep(100);
      }
    }
    assertThat(status).as("Redis is back: the closed gateway decides again").isEqualTo(200);
    // Let the other gateway's client reconnect and its breaker's open period lapse.
    Thread.sleep(1500);
    int admittedAfter = 1;
    for (int i = 0; i < 10; i++) {
      if (get(i % 2 == 0 ? open : closed, "/api/headers").statusCode() == 200) {
        admittedAfter++;
      }
    }
    assertThat(admittedAfter).as("a fresh Redis window of 5, shared by both").isEqualTo(5);
  }

  private String metrics(Gateway gateway) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
