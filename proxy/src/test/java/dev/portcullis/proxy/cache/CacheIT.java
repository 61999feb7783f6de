package dev.portcullis.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.core.config.AccessLogConfig;
import dev.portcullis.core.config.AdminConfig;
import dev.portcullis.core.config.AuditLogConfig;
import dev.portcullis.core.config.AuthConfig;
import dev.portcullis.core.config.CacheConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.config.Secret;
import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.FilterOrder;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.demo.DemoKeys;
import dev.portcullis.proxy.testing.TestGateways;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The response cache end to end: real clients, gateways and an upstream counting its requests on
 * loopback sockets, and the real Redis on 127.0.0.1:6379 for replicas. Principals come from a
 * test-only filter placed before the cache ({@code x-test-user}, {@code x-test-tenant}, {@code
 * x-test-permissions}), standing in for authentication.
 */
class CacheIT {
  private static final String REDIS = "redis://127.0.0.1:6379";

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private CacheTestUpstream upstream;

  @BeforeEach
  void start() throws Exception {
    upstream = new CacheTestUpstream();
    resources.add(upstream);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  // ---- set-up ----

  private static CacheConfig.Policy policy(
      String name, String route, boolean override, CacheConfig.Share share, String... paths) {
    return new CacheConfig.Policy(
        name,
        route,
        List.of(paths),
        Set.of("GET", "HEAD"),
        Duration.ofMinutes(5),
        override,
        share,
        64 * 1024,
        Duration.ofSeconds(10),
        Duration.ofMinutes(5),
        1);
  }

  private static CacheConfig cache(long maxBytes, String redis, CacheConfig.Policy... policies) {
    return new CacheConfig(
        maxBytes,
        Duration.ofSeconds(30),
        redis == null
            ? null
            : new CacheConfig.Redis(Secret.of(redis), true, true, Duration.ofSeconds(2)),
        List.of(policies));
  }

  /** The default policies: /rest/** as the upstream says, /tenant/** shared by tenant. */
  private static CacheConfig defaultCache(String redis) {
    return cache(
        16L * 1024 * 1024,
        redis,
        policy("rest", "rest", false, CacheConfig.Share.PRINCIPAL),
        policy("tenant", "tenant", true, CacheConfig.Share.TENANT));
  }

  private GatewayConfig config(URI target, CacheConfig cache) {
    UpstreamConfig backend =
        TestGateways.upstream(
            "backend", List.of(target), Duration.ofSeconds(10), 32, LoadBalancing.ROUND_ROBIN);
    return new GatewayConfig(
        TestGateways.server(2, Duration.ofSeconds(5), List.of()),
        new AdminConfig("127.0.0.1", 0),
        Map.of("backend", backend),
        List.of(
            RouteConfig.glob("rest", "/rest/**", "backend"),
            RouteConfig.glob("tenant", "/tenant/**", "backend"),
            RouteConfig.glob("other", "/**", "backend")),
        RateLimitsConfig.DEFAULTS,
        new AccessLogConfig(false, AccessLogConfig.DEFAULTS.destination(), null),
        AuditLogConfig.DEFAULTS,
        AuthConfig.DEFAULTS,
        cache);
  }

  /** Stands in for authentication until it is merged: a principal from test headers. */
  private static final RouteFilterFactory TEST_PRINCIPALS =
      new RouteFilterFactory() {
        @Override
        public int order() {
          return FilterOrder.AUTHENTICATION;
        }

        @Override
        public List<RequestFilter> requestFilters(RouteConfig route) {
          return List.of(
              exchange -> {
                String user = exchange.requestHeaders().get("x-test-user");
                if (user != null) {
                  String perms = exchange.requestHeaders().get("x-test-permissions", "read");
                  exchange.set(
                      Principal.KEY,
                      new Principal(
                              user,
                              exchange.requestHeaders().get("x-test-tenant"),
                              "api_key",
                              Set.of("read:jira"),
                              "key-" + user,
                              "user",
                              null,
                              null)
                          .withPermissions(Set.of(perms.split(","))));
                }
                return FilterDecision.CONTINUE;
              });
        }
      };

  /** A gateway with the test principals before the cache; the cache is returned for inspection. */
  private record Running(Gateway gateway, ResponseCache cache) {}

  private Running gateway(GatewayConfig config) throws Exception {
    ResponseCache cache = ResponseCache.create(config.cache());
    resources.add(cache);
    Gateway gateway = Gateway.start(config, List.of(TEST_PRINCIPALS, cache.filterFactory()));
    resources.add(gateway);
    cache.redisReady().get(10, TimeUnit.SECONDS);
    return new Running(gateway, cache);
  }

  private Running gateway(CacheConfig cache) throws Exception {
    return gateway(config(upstream.uri(), cache));
  }

  private HttpResponse<String> send(Gateway gateway, String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.address().getPort() + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(Gateway gateway, String path, String... headers)
      throws Exception {
    return send(gateway, "GET", path, headers);
  }

  private static String xCache(HttpResponse<?> response) {
    return response.headers().firstValue("x-cache").orElse("(none)");
  }

  private static Map<String, String> headers(String... namesAndValues) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  // ---- tests ----

  @Test
  void missThenHitWithAgeThenExpiryAndEveryResponseOfTheRouteSaysWhatHappened() throws Exception {
    Gateway gateway = gateway(defaultCache(null)).gateway();
    upstream.on(
        "/rest/short",
        (r, n) ->
            new CacheTestUpstream.Reply(200, headers("Cache-Control", "max-age=1"), "short #" + n));

    HttpResponse<String> first = get(gateway, "/rest/thing?b=2&a=1");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(xCache(first)).isEqualTo("MISS");
    assertThat(first.body()).isEqualTo("/rest/thing #1");
    HttpResponse<String> second = get(gateway, "/rest/thing?b=2&a=1");
    assertThat(xCache(second)).isEqualTo("HIT");
    assertThat(second.body()).isEqualTo("/rest/thing #1");
    assertThat(second.headers().firstValueAsLong("age").orElseThrow()).isBetween(0L, 300L);
    assertThat(second.headers().firstValue("x-request-id")).isPresent();
    assertThat(upstream.requests("/rest/thing")).isEqualTo(1);
    // Another query is another resource; a path that normalises the same is the same one.
    assertThat(xCache(get(gateway, "/rest/thing?a=1"))).isEqualTo("MISS");
    assertThat(xCache(get(gateway, "/rest/./thing?b=2&a=1"))).isEqualTo("HIT");

    assertThat(xCache(get(gateway, "/rest/short"))).isEqualTo("MISS");
    Thread.sleep(1_500); // max-age=1 is over
    HttpResponse<String> expired = get(gateway, "/rest/short");
    assertThat(xCache(expired)).isEqualTo("MISS");
    assertThat(expired.body()).isEqualTo("short #2");

    HttpResponse<String> write = send(gateway, "POST", "/rest/other");
    assertThat(xCache(write)).isEqualTo("BYPASS");
    assertThat(get(gateway, "/elsewhere").headers().firstValue("x-cache")).isEmpty();
  }

  @Test
  void varyKeepsVariantsApartAndNoOtherHeaderChangesTheKey() throws Exception {
    Gateway gateway = gateway(defaultCache(null)).gateway();
    upstream.on(
        "/rest/lang",
        (r, n) ->
            new CacheTestUpstream.Reply(
                200,
                headers("Vary", "Accept-Language", "Cache-Control", "max-age=300"),
                r.getRequestHeaders().getFirst("Accept-Language") + " #" + n));
    assertThat(get(gateway, "/rest/lang", "Accept-Language", "en").body()).isEqualTo("en #1");
    assertThat(get(gateway, "/rest/lang", "Accept-Language", "de").body()).isEqualTo("de #2");
    HttpResponse<String> en = get(gateway, "/rest/lang", "Accept-Language", "en", "X-Evil", "1");
    assertThat(xCache(en)).isEqualTo("HIT");
    assertThat(en.body()).isEqualTo("en #1");
    HttpResponse<String> de = get(gateway, "/rest/lang", "Accept-Language", "de");
    assertThat(xCache(de)).isEqualTo("HIT");
    assertThat(de.body()).isEqualTo("de #2");
    assertThat(upstream.requests("/rest/lang")).isEqualTo(2);

    upstream.on(
        "/rest/star",
        (r, n) -> new CacheTestUpstream.Reply(200, headers("Vary", "*"), "star #" + n));
    get(gateway, "/rest/star");
    assertThat(xCache(get(gateway, "/rest/star"))).isEqualTo("MISS");
  }

  @Test
  void privateNoStoreSetCookieAndClientNoStoreAreNeverServedFromTheCache() throws Exception {
    Gateway gateway =
        gateway(
                cache(
                    16L * 1024 * 1024,
                    null,
                    policy("cookies", "tenant", true, CacheConfig.Share.PRINCIPAL),
                    policy("rest", "rest", false, CacheConfig.Share.PRINCIPAL)))
            .gateway();
    upstream.on(
        "/rest/private",
        (r, n) -> new CacheTestUpstream.Reply(200, headers("Cache-Control", "private"), "p" + n));
    upstream.on(
        "/rest/nostore",
        (r, n) -> new CacheTestUpstream.Reply(200, headers("Cache-Control", "no-store"), "n" + n));
    upstream.on(
        "/tenant/cookie",
        (r, n) -> new CacheTestUpstream.Reply(200, headers("Set-Cookie", "s=" + n), "c" + n));
    for (String path : new String[] {"/rest/private", "/rest/nostore", "/tenant/cookie"}) {
      assertThat(xCache(get(gateway, path))).isEqualTo("MISS");
      HttpResponse<String> again = get(gateway, path);
      assertThat(xCache(again)).as(path).isEqualTo("MISS");
      assertThat(again.body()).endsWith("2");
    }
    assertThat(xCache(get(gateway, "/rest/open"))).isEqualTo("MISS");
    HttpResponse<String> refused = get(gateway, "/rest/open", "Cache-Control", "no-store");
    assertThat(xCache(refused)).isEqualTo("BYPASS");
    assertThat(refused.body()).isEqualTo("/rest/open #2");
    assertThat(xCache(get(gateway, "/rest/open"))).isEqualTo("HIT");
  }

  @Test
  void oneUsersEntryIsNeverServedToAnotherUnlessTheRouteSharesByTenant() throws Exception {
    Gateway gateway = gateway(defaultCache(null)).gateway();
    String[] alice = {"x-test-user", "alice", "x-test-tenant", "acme"};
    String[] bob = {"x-test-user", "bob", "x-test-tenant", "acme"};
    assertThat(get(gateway, "/rest/me", alice).body()).isEqualTo("/rest/me #1");
    assertThat(get(gateway, "/rest/me", bob).body()).isEqualTo("/rest/me #2");
    HttpResponse<String> aliceAgain = get(gateway, "/rest/me", alice);
    assertThat(xCache(aliceAgain)).isEqualTo("HIT");
    assertThat(aliceAgain.body()).isEqualTo("/rest/me #1");
    assertThat(get(gateway, "/rest/me", bob).body()).isEqualTo("/rest/me #2");
    // Anonymous requests share the anonymous entry, never a user's.
    assertThat(get(gateway, "/rest/me").body()).isEqualTo("/rest/me #3");
    // Credentials the gateway did not turn into a principal: the upstream decides, nothing cached.
    HttpResponse<String> credentialed = get(gateway, "/rest/me", "Authorization", "Basic eDp5");
    assertThat(xCache(credentialed)).isEqualTo("BYPASS");
    assertThat(credentialed.body()).isEqualTo("/rest/me #4");

    // Tenant sharing: same tenant and permissions share; another tenant or permission set does not.
    assertThat(get(gateway, "/tenant/info", alice).body()).isEqualTo("/tenant/info #1");
    HttpResponse<String> bobShared = get(gateway, "/tenant/info", bob);
    assertThat(xCache(bobShared)).isEqualTo("HIT");
    assertThat(bobShared.body()).isEqualTo("/tenant/info #1");
    assertThat(
            get(gateway, "/tenant/info", "x-test-user", "carol", "x-test-tenant", "globex").body())
        .isEqualTo("/tenant/info #2");
    assertThat(
            get(
                    gateway,
                    "/tenant/info",
                    "x-test-user",
                    "dave",
                    "x-test-tenant",
                    "acme",
                    "x-test-permissions",
                    "read,admin")
                .body())
        .isEqualTo("/tenant/info #3");
  }

  @Test
  void concurrentMissesSendOneUpstreamRequest() throws Exception {
    Gateway gateway = gateway(defaultCache(null)).gateway();
    upstream.on(
        "/rest/slow",
        (r, n) -> {
          Thread.sleep(700);
          return new CacheTestUpstream.Reply(200, headers(), "slow #" + n);
        });
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      responses.add(
          client.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/rest/slow"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    List<String> results = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      HttpResponse<String> r = response.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow #1");
      results.add(xCache(r));
    }
    assertThat(upstream.requests("/rest/slow")).isEqualTo(1);
    assertThat(results).containsOnlyOnce("MISS").containsOnly("MISS", "HIT");
  }

  @Test
  void staleIsServedWhileTheUpstreamFailsOrIsDownWithinStaleIfError() throws Exception {
    CacheTestUpstream failing = new CacheTestUpstream();
    resources.add(failing);
    Gateway gateway = gateway(config(failing.uri(), defaultCache(null))).gateway();
    failing.on(
        "/rest/flaky",
        (r, n) ->
            n == 1
                ? new CacheTestUpstream.Reply(200, headers("Cache-Control", "max-age=1"), "good")
                : new CacheTestUpstream.Reply(500, headers(), "broken"));
    failing.on(
        "/rest/strict",
        (r, n) ->
            n == 1
                ? new CacheTestUpstream.Reply(
                    200, headers("Cache-Control", "max-age=1, stale-if-error=0"), "strict")
                : new CacheTestUpstream.Reply(500, headers(), "broken"));
    failing.on(
        "/rest/down",
        (r, n) -> new CacheTestUpstream.Reply(200, headers("Cache-Control", "max-age=1"), "kept"));
    for (String path : new String[] {"/rest/flaky", "/rest/strict", "/rest/down"}) {
      assertThat(xCache(get(gateway, path))).isEqualTo("MISS");
    }
    Thread.sleep(1_500); // every entry is stale now

    HttpResponse<String> stale = get(gateway, "/rest/flaky");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(xCache(stale)).isEqualTo("STALE");
    assertThat(stale.body()).isEqualTo("good");
    assertThat(stale.headers().firstValueAsLong("age").orElseThrow()).isGreaterThanOrEqualTo(1);
    HttpResponse<String> strict = get(gateway, "/rest/strict");
    assertThat(strict.statusCode()).isEqualTo(500);
    assertThat(xCache(strict)).isEqualTo("MISS");

    failing.close(); // connection refused from now on: the gateway's own 502
    HttpResponse<String> down = get(gateway, "/rest/down");
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(xCache(down)).isEqualTo("STALE");
    assertThat(down.body()).isEqualTo("kept");
    HttpResponse<String> never = get(gateway, "/rest/never-cached");
    assertThat(never.statusCode()).isEqualTo(502);
    assertThat(xCache(never)).isEqualTo("MISS");
  }

  @Test
  void whileOneRequestRevalidatesAnExpiredEntryOthersGetItStale() throws Exception {
    Gateway gateway = gateway(defaultCache(null)).gateway();
    CompletableFuture<Void> release = new CompletableFuture<>();
    upstream.on(
        "/rest/swr",
        (r, n) -> {
          if (n > 1) {
            release.get(30, TimeUnit.SECONDS); // the revalidation is slow
          }
          return new CacheTestUpstream.Reply(
              200, headers("Cache-Control", "max-age=1, stale-while-revalidate=60"), "swr #" + n);
        });
    assertThat(xCache(get(gateway, "/rest/swr"))).isEqualTo("MISS");
    Thread.sleep(1_500);
    CompletableFuture<HttpResponse<String>> revalidating =
        client.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/rest/swr"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (upstream.requests("/rest/swr") < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    HttpResponse<String> meanwhile = get(gateway, "/rest/swr");
    assertThat(xCache(meanwhile)).isEqualTo("STALE");
    assertThat(meanwhile.body()).isEqualTo("swr #1");
    release.complete(null);
    HttpResponse<String> fetched = revalidating.get(30, TimeUnit.SECONDS);
    assertThat(xCache(fetched)).isEqualTo("MISS");
    assertThat(fetched.body()).isEqualTo("swr #2");
    assertThat(get(gateway, "/rest/swr").body()).isEqualTo("swr #2");
    assertThat(upstream.requests("/rest/swr")).isEqualTo(2);
  }

  @Test
  void headIsAnsweredFromTheStoredGetAndNeverStoresAnything() throws Exception {
    Gateway gateway = gateway(defaultCache(null)).gateway();
    HttpResponse<String> headMiss = send(gateway, "HEAD", "/rest/doc");
    assertThat(xCache(headMiss)).isEqualTo("MISS");
    assertThat(xCache(get(gateway, "/rest/doc"))).isEqualTo("MISS");
    HttpResponse<String> headHit = send(gateway, "HEAD", "/rest/doc");
    assertThat(headHit.statusCode()).isEqualTo(200);
    assertThat(xCache(headHit)).isEqualTo("HIT");
    assertThat(headHit.body()).isEmpty();
    assertThat(headHit.headers().firstValueAsLong("content-length").orElseThrow())
        .isEqualTo("/rest/doc #2".length());
    assertThat(upstream.requests("/rest/doc")).isEqualTo(2);
  }

  @Test
  void aStaleEntryIsRevalidatedWithItsValidatorAndA304ServesTheStoredBody() throws Exception {
    Gateway gateway = gateway(defaultCache(null)).gateway();
    upstream.on(
        "/rest/etag",
        (r, n) -> {
          if ("\"v1\"".equals(r.getRequestHeaders().getFirst("If-None-Match"))) {
            return new CacheTestUpstream.Reply(
                304, headers("ETag", "\"v1\"", "Cache-Control", "no-cache"), "");
          }
          return new CacheTestUpstream.Reply(
              200, headers("ETag", "\"v1\"", "Cache-Control", "no-cache"), "etag body " + n);
        });
    // The client's own validator is not passed on: the cache needs a full response to store.
    HttpResponse<String> first = get(gateway, "/rest/etag", "If-None-Match", "\"v0\"");
    assertThat(xCache(first)).isEqualTo("MISS");
    assertThat(first.body()).isEqualTo("etag body 1");
    assertThat(upstream.lastHeaders("/rest/etag")).doesNotContainKey("if-none-match");

    HttpResponse<String> revalidated = get(gateway, "/rest/etag");
    assertThat(revalidated.statusCode()).isEqualTo(200);
    assertThat(xCache(revalidated)).isEqualTo("HIT");
    assertThat(revalidated.body()).isEqualTo("etag body 1");
    assertThat(revalidated.headers().firstValue("etag")).hasValue("\"v1\"");
    assertThat(upstream.lastHeaders("/rest/etag")).containsEntry("if-none-match", "\"v1\"");
    assertThat(upstream.requests("/rest/etag")).isEqualTo(2);
    // The upstream connection that carried the 304 is still usable.
    assertThat(get(gateway, "/rest/etag").body()).isEqualTo("etag body 1");
  }

  @Test
  void memoryStaysWithinTheBoundUnderManyEntries() throws Exception {
    long bound = 256 * 1024;
    Running running =
        gateway(cache(bound, null, policy("rest", "rest", true, CacheConfig.Share.PRINCIPAL)));
    String body = "x".repeat(8_000);
    for (int i = 0; i < 150; i++) {
      String path = "/rest/big/" + i;
      upstream.on(path, (r, n) -> new CacheTestUpstream.Reply(200, headers(), body));
      HttpResponse<String> response = get(running.gateway(), path);
      assertThat(response.body()).hasSize(8_000);
    }
    assertThat(running.cache().bytes()).isPositive().isLessThanOrEqualTo(bound);
    assertThat(running.cache().entries()).isBetween(1L, 40L);
    assertThat(running.cache().evictions()).isPositive();
    // A response above max_entry_bytes streams through and is not stored.
    upstream.on(
        "/rest/huge", (r, n) -> new CacheTestUpstream.Reply(200, headers(), "y".repeat(70_000)));
    assertThat(get(running.gateway(), "/rest/huge").body()).hasSize(70_000);
    assertThat(xCache(get(running.gateway(), "/rest/huge"))).isEqualTo("MISS");
  }

  @Test
  void aWriteInvalidatesTheResourceAndItsSubResourcesOnEveryReplicaThroughRedis() throws Exception {
    Gateway one = gateway(defaultCache(REDIS)).gateway();
    Gateway two = gateway(defaultCache(REDIS)).gateway();
    String base = "/rest/issue/T" + UUID.randomUUID().toString().substring(0, 8);
    String comment = base + "/comment";
    String sibling = base + "0";
    RedisClient redis = RedisClient.create(REDIS);
    resources.add(redis::shutdown);
    StatefulRedisConnection<String, String> check = redis.connect();
    for (String path : new String[] {base, comment, sibling}) {
      assertThat(xCache(get(one, path))).isEqualTo("MISS");
      awaitIndexed(check, path);
      // The second replica finds it in Redis (L2) without asking the upstream.
      HttpResponse<String> shared = get(two, path);
      assertThat(xCache(shared)).isEqualTo("HIT");
      assertThat(shared.body()).isEqualTo(path + " #1");
      assertThat(xCache(get(two, path))).isEqualTo("HIT");
    }
    assertThat(upstream.requests()).isEqualTo(3);

    HttpResponse<String> write = send(one, "PUT", base);
    assertThat(write.statusCode()).isEqualTo(200);
    assertThat(xCache(get(one, comment))).isEqualTo("MISS");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<String> afterWrite = get(two, base);
    while (!xCache(afterWrite).equals("MISS") && System.nanoTime() < deadline) {
      Thread.sleep(50);
      afterWrite = get(two, base);
    }
    assertThat(xCache(afterWrite)).isEqualTo("MISS");
    assertThat(get(two, sibling).body()).isEqualTo(sibling + " #1");
    assertThat(xCache(get(two, sibling))).isEqualTo("HIT");
  }

  private static void awaitIndexed(StatefulRedisConnection<String, String> redis, String path)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (redis.sync().scard(RedisCacheLink.BY_PATH + path) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(redis.sync().scard(RedisCacheLink.BY_PATH + path)).isPositive();
  }

  @Test
  void theAdminEndpointPurgesByRouteOrPrefixAndMetricsCountResults() throws Exception {
    GatewayConfig config =
        DemoKeys.inMemoryStore(TestGateways.anonymous(config(upstream.uri(), defaultCache(null))));
    ApiKeyService keys = ApiKeyService.open(config);
    String adminKey = DemoKeys.seed(keys).admin().key();
    Gateway gateway = Gateway.start(config, keys);
    resources.add(gateway);
    get(gateway, "/rest/a/1");
    get(gateway, "/rest/b/1");
    assertThat(xCache(get(gateway, "/rest/a/1"))).isEqualTo("HIT");
    String admin = "http://127.0.0.1:" + gateway.adminAddress().getPort();
    HttpResponse<String> withoutKey =
        client.send(
            HttpRequest.newBuilder(URI.create(admin + "/admin/cache/purge?route=rest"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withoutKey.statusCode()).isEqualTo(401);
    assertThat(xCache(get(gateway, "/rest/a/1"))).isEqualTo("HIT");
    HttpResponse<String> byPrefix =
        client.send(
            HttpRequest.newBuilder(URI.create(admin + "/admin/cache/purge?path_prefix=/rest/a"))
                .header("X-API-Key", adminKey)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(byPrefix.statusCode()).isEqualTo(200);
    assertThat(byPrefix.body()).isEqualTo("{\"purged\":1}");
    assertThat(xCache(get(gateway, "/rest/a/1"))).isEqualTo("MISS");
    assertThat(xCache(get(gateway, "/rest/b/1"))).isEqualTo("HIT");
    HttpResponse<String> byRoute =
        client.send(
            HttpRequest.newBuilder(URI.create(admin + "/admin/cache/purge?route=rest"))
                .header("X-API-Key", adminKey)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(byRoute.body()).isEqualTo("{\"purged\":2}");
    assertThat(xCache(get(gateway, "/rest/b/1"))).isEqualTo("MISS");
    HttpResponse<String> viaGet =
        client.send(
            HttpRequest.newBuilder(URI.create(admin + "/admin/cache/purge?route=rest")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(viaGet.statusCode()).isEqualTo(405);
    HttpResponse<String> neither =
        client.send(
            HttpRequest.newBuilder(URI.create(admin + "/admin/cache/purge"))
                .header("X-API-Key", adminKey)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(neither.statusCode()).isEqualTo(400);

    String metrics =
        client
            .send(
                HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("portcullis_cache_requests_total{result=\"hit\",route=\"rest\"} 3.0")
        .contains("portcullis_cache_requests_total{result=\"miss\",route=\"rest\"} 4.0")
        .contains("portcullis_cache_entries 1.0")
        .contains("portcullis_cache_size_bytes ")
        .contains("portcullis_cache_evictions_total 0.0");
  }
}
