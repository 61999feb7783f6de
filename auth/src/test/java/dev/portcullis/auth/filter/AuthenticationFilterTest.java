package dev.portcullis.auth.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.apikey.ApiKeyFormat;
import dev.portcullis.auth.apikey.ApiKeyType;
import dev.portcullis.auth.token.IdentityTokenIssuer;
import dev.portcullis.core.audit.AuditEvent;
import dev.portcullis.core.config.AccessControlConfig;
import dev.portcullis.core.config.RouteAuth;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.GatewayResponse;
import dev.portcullis.core.pipeline.RequestFilter;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthenticationFilterTest {
  private static final String USER_KEY =
      ApiKeyFormat.generate(ApiKeyType.USER, new SecureRandom()).clearText();
  private static final String OTHER_KEY =
      ApiKeyFormat.generate(ApiKeyType.USER, new SecureRandom()).clearText();
  private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

  private final List<AuditEvent> audit = new ArrayList<>();
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final Map<String, AuthVerdict> keys = new HashMap<>();
  private final AtomicInteger signatures = new AtomicInteger();
  private CompletableFuture<AuthVerdict> pendingJwt;
  private final List<Runnable> signerTasks = new ArrayList<>();
  private Executor signer = Runnable::run;
  private RuntimeException signingFailure;

  private final IdentityTokenIssuer issuer =
      new IdentityTokenIssuer() {
        @Override
        public String issue(Principal principal, String audience) {
          if (signingFailure != null) {
            RuntimeException failure = signingFailure;
            signingFailure = null;
            throw failure;
          }
          return "signed-"
              + principal.subject()
              + "-for-"
              + audience
              + "-"
              + signatures.incrementAndGet();
        }

        @Override
        public String jwksJson() {
          return "{\"keys\":[]}";
        }
      };

  private Authentication authentication() {
    keys.put(
        USER_KEY,
        new AuthVerdict.Authenticated(
            new Principal(
                "alice", "acme", "api_key", Set.of("jira:read"), "kid123", "user", null, null)));
    keys.put(OTHER_KEY, new AuthVerdict.Rejected(AuthFailure.REVOKED, "kid456", "bob"));
    Authentication.Verifiers verifiers =
        new Authentication.Verifiers(
            (key, client) ->
                CompletableFuture.completedFuture(
                    keys.getOrDefault(key, new AuthVerdict.Rejected(AuthFailure.UNKNOWN_KEY))),
            token -> pendingJwt);
    AccessControlConfig access =
        new AccessControlConfig(
            AccessControlConfig.DEFAULT_SCOPES,
            AccessControlConfig.DEFAULT_RULES,
            new AccessControlConfig.BruteForce(
                true, 3, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofMinutes(5)),
            Duration.ofMinutes(1));
    return new Authentication(
        access,
        verifiers,
        new Authentication.IdentityPropagation(
            issuer,
            "Authorization",
            upstream -> upstream + "-api",
            Duration.ofSeconds(30),
            task -> signer.execute(task)),
        audit::add,
        clock::get);
  }

  private static RequestFilter[] filters(Authentication auth, RouteAuth routeAuth) {
    RouteConfig route = RouteConfig.glob("jira-rest", "/rest/api/**", "jira").withAuth(routeAuth);
    List<RequestFilter> out = new ArrayList<>();
    auth.filterFactories().forEach(f -> out.addAll(f.requestFilters(route)));
    return out.toArray(RequestFilter[]::new);
  }

  /**
   * Runs the chain as the engine would, letting deferred decisions settle (the signer runs tasks at
   * once unless a test queues them).
   */
  private static FilterDecision run(RequestFilter[] chain, TestExchange exchange) {
    for (RequestFilter filter : chain) {
      FilterDecision decision = settle(filter.onRequest(exchange), exchange);
      if (decision != FilterDecision.CONTINUE) {
        return decision;
      }
    }
    return FilterDecision.CONTINUE;
  }

  /** Runs the exchange's loop tasks until the decision is no longer deferred. */
  private static FilterDecision settle(FilterDecision decision, TestExchange exchange) {
    while (decision instanceof FilterDecision.Deferred deferred) {
      exchange.runLoopTasks();
      CompletableFuture<FilterDecision> stage = deferred.stage().toCompletableFuture();
      assertThat(stage).as("deferred decision settled by the loop's tasks").isDone();
      decision = stage.join();
    }
    return decision;
  }

  private static GatewayResponse response(FilterDecision decision) {
    assertThat(decision).isInstanceOf(FilterDecision.Respond.class);
    return ((FilterDecision.Respond) decision).response();
  }

  private static String body(GatewayResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void aRequestWithoutCredentialIsRefusedWithAChallenge() {
    TestExchange exchange = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/ABC-1", "10.0.0.1");
    GatewayResponse response =
        response(run(filters(authentication(), RouteAuth.REQUIRED), exchange));
    assertThat(response.status().code()).isEqualTo(401);
    assertThat(response.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"portcullis\"");
    assertThat(body(response)).contains("\"error\":\"unauthorized\"").contains("req-1");
    assertThat(audit)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.action()).isEqualTo("auth.failure");
              assertThat(e.details()).containsEntry("error_code", "missing");
            });
  }

  @Test
  void anAnonymousRoutePassesRequestsWithoutCredential() {
    TestExchange exchange = new TestExchange(HttpMethod.POST, "/rest/api/3/issue", "10.0.0.1");
    assertThat(run(filters(authentication(), RouteAuth.ANONYMOUS), exchange))
        .isSameAs(FilterDecision.CONTINUE);
    assertThat(exchange.get(Principal.KEY)).isNull();
  }

  @Test
  void aValidKeyAttachesThePrincipalStripsTheCredentialAndPropagatesTheIdentity() {
    Authentication auth = authentication();
    for (String header : List.of("X-API-Key", "Authorization")) {
      TestExchange exchange =
          new TestExchange(HttpMethod.GET, "/rest/api/3/issue/ABC-1", "10.0.0.1");
      exchange.headers.set(
          header, header.equals("Authorization") ? "Bearer " + USER_KEY : USER_KEY);
      exchange.headers.set("User-Agent", "curl/8");
      assertThat(run(filters(auth, RouteAuth.REQUIRED), exchange))
          .isSameAs(FilterDecision.CONTINUE);
      Principal principal = exchange.get(Principal.KEY);
      assertThat(principal.subject()).isEqualTo("alice");
      assertThat(principal.permissions()).contains("jira.issues.view", "jira.projects.view");
      assertThat(exchange.headers.contains("X-API-Key")).isFalse();
      assertThat(exchange.headers.get("Authorization"))
          .isEqualTo("Bearer signed-alice-for-jira-api-1");
    }
    // The token is reused for the same principal and audience instead of signed per request.
    assertThat(signatures.get()).isEqualTo(1);
    // One success line per credential and minute, not one per request.
    assertThat(audit)
        .hasSize(1)
        .allSatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("auth.success");
              assertThat(e.principal()).isEqualTo("alice");
              assertThat(e.clientIp()).isEqualTo("10.0.0.1");
              assertThat(e.requestId()).isEqualTo("req-1");
              assertThat(e.details())
                  .containsEntry("key_id", "kid123")
                  .containsEntry("auth_method", "api_key")
                  .containsEntry("user_agent", "curl/8")
                  .containsEntry("resource_accessed", "GET /rest/api/3/issue/ABC-1");
              assertThat(e.toString()).doesNotContain(USER_KEY);
            });
  }

  @Test
  void theIdentityTokenIsSignedAgainOnceItsReuseTimeHasPassed() {
    Authentication auth = authentication();
    for (int i = 0; i < 2; i++) {
      TestExchange exchange = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.1");
      exchange.headers.set("X-API-Key", USER_KEY);
      run(filters(auth, RouteAuth.REQUIRED), exchange);
      clock.addAndGet(Duration.ofSeconds(31).toNanos());
    }
    assertThat(signatures.get()).isEqualTo(2);
  }

  @Test
  void identityTokensAreSignedOnTheSignerAndConcurrentRequestsShareOneSignature() {
    signer = signerTasks::add;
    Authentication auth = authentication();
    RequestFilter[] chain = filters(auth, RouteAuth.REQUIRED);
    List<TestExchange> exchanges = new ArrayList<>();
    List<FilterDecision> decisions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestExchange exchange = keyRequest();
      exchanges.add(exchange);
      decisions.add(chain[0].onRequest(exchange));
    }
    // Nothing was signed on the calling ("event loop") thread: the requests wait for the signer.
    assertThat(decisions)
        .allSatisfy(d -> assertThat(d).isInstanceOf(FilterDecision.Deferred.class));
    assertThat(signatures.get()).isZero();
    assertThat(signerTasks).hasSize(1);
    assertThat(auth.identityTokenCounts()).containsExactly(0, 3, 1);
    signerTasks.remove(0).run();
    assertThat(auth.identityTokenCounts()).containsExactly(1, 3, 0);
    for (int i = 0; i < 3; i++) {
      assertThat(settle(decisions.get(i), exchanges.get(i))).isSameAs(FilterDecision.CONTINUE);
      assertThat(exchanges.get(i).headers.get("Authorization"))
          .isEqualTo("Bearer signed-alice-for-jira-api-1");
    }
    assertThat(signatures.get()).isEqualTo(1);
  }

  @Test
  void aTokenDueForRenewalIsStillSentWhileItsSuccessorIsSignedInTheBackground() {
    RequestFilter filter = filterAfterAFirstSignature();

    // Due at a random point from 18.75 to 26.25 s of a 30 s reuse: not at 18 s, surely at 27 s.
    clock.addAndGet(Duration.ofSeconds(18).toNanos());
    TestExchange early = keyRequest();
    assertThat(filter.onRequest(early)).isSameAs(FilterDecision.CONTINUE);
    assertThat(signerTasks).isEmpty();
    clock.addAndGet(Duration.ofSeconds(9).toNanos());
    for (int i = 0; i < 2; i++) {
      TestExchange exchange = keyRequest();
      assertThat(filter.onRequest(exchange)).isSameAs(FilterDecision.CONTINUE);
      assertThat(exchange.headers.get("Authorization"))
          .isEqualTo("Bearer signed-alice-for-jira-api-1");
    }
    assertThat(signerTasks).as("one renewal, however many requests see it due").hasSize(1);
    signerTasks.remove(0).run();

    clock.addAndGet(Duration.ofSeconds(10).toNanos());
    TestExchange renewed = keyRequest();
    assertThat(filter.onRequest(renewed)).isSameAs(FilterDecision.CONTINUE);
    assertThat(renewed.headers.get("Authorization"))
        .isEqualTo("Bearer signed-alice-for-jira-api-2");
    assertThat(signerTasks).isEmpty();
  }

  @Test
  void aTokenPastItsReuseTimeIsNotSentAndTheRequestWaitsForANewOne() {
    RequestFilter filter = filterAfterAFirstSignature();

    clock.addAndGet(Duration.ofSeconds(30).toNanos());
    TestExchange late = keyRequest();
    FilterDecision decision = filter.onRequest(late);
    assertThat(decision).isInstanceOf(FilterDecision.Deferred.class);
    assertThat(late.headers.contains("Authorization")).isFalse();
    settleWithSigner(decision, late);
    assertThat(late.headers.get("Authorization")).isEqualTo("Bearer signed-alice-for-jira-api-2");
  }

  @Test
  void aFailedSignatureAnswers503AndTheNextRequestSignsAgain() {
    Authentication auth = authentication();
    RequestFilter[] chain = filters(auth, RouteAuth.REQUIRED);
    signingFailure = new IllegalStateException("HSM unreachable");
    TestExchange failed = keyRequest();
    GatewayResponse response = response(run(chain, failed));
    assertThat(response.status().code()).isEqualTo(503);
    assertThat(response.headers().get("Retry-After")).isEqualTo("1");
    assertThat(body(response)).contains("auth_unavailable").doesNotContain("HSM");
    assertThat(failed.headers.contains("Authorization")).isFalse();

    TestExchange next = keyRequest();
    assertThat(run(chain, next)).isSameAs(FilterDecision.CONTINUE);
    assertThat(next.headers.get("Authorization")).isEqualTo("Bearer signed-alice-for-jira-api-1");
  }

  @Test
  void aShutDownSignerAnswers503InsteadOfLeavingTheRequestWaiting() {
    signer =
        task -> {
          throw new RejectedExecutionException("shut down");
        };
    Authentication auth = authentication();
    GatewayResponse response = response(run(filters(auth, RouteAuth.REQUIRED), keyRequest()));
    assertThat(response.status().code()).isEqualTo(503);
    assertThat(response.headers().get("Retry-After")).isEqualTo("1");
  }

  private static TestExchange keyRequest() {
    TestExchange exchange = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.1");
    exchange.headers.set("X-API-Key", USER_KEY);
    return exchange;
  }

  /** The authentication filter with a queued signer, after alice's first token was signed. */
  private RequestFilter filterAfterAFirstSignature() {
    signer = signerTasks::add;
    RequestFilter filter = filters(authentication(), RouteAuth.REQUIRED)[0];
    TestExchange first = keyRequest();
    settleWithSigner(filter.onRequest(first), first);
    return filter;
  }

  private FilterDecision settleWithSigner(FilterDecision decision, TestExchange exchange) {
    while (!signerTasks.isEmpty()) {
      signerTasks.remove(0).run();
    }
    return settle(decision, exchange);
  }

  @Test
  void aCredentialsSuccessIsAuditedAgainAfterTheInterval() {
    Authentication auth = authentication();
    for (int i = 0; i < 5; i++) {
      TestExchange exchange = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.1");
      exchange.headers.set("X-API-Key", USER_KEY);
      run(filters(auth, RouteAuth.REQUIRED), exchange);
      clock.addAndGet(Duration.ofSeconds(25).toNanos());
    }
    // At 0 s and 75 s: the first use, then the first after the minute expired.
    assertThat(audit).filteredOn(e -> e.action().equals("auth.success")).hasSize(2);
    assertThat(auth.attemptsByMethod().get("api_key")[0]).isEqualTo(5);
  }

  @Test
  void unknownAndRevokedKeysGetTheSameAnswerButDifferentAuditCodes() {
    Authentication auth = authentication();
    String mistyped =
        USER_KEY.substring(0, USER_KEY.length() - 1) + (USER_KEY.endsWith("A") ? "B" : "A");
    List<String> bodies = new ArrayList<>();
    for (String key : List.of(OTHER_KEY, mistyped)) {
      TestExchange exchange = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.2");
      exchange.headers.set("X-API-Key", key);
      GatewayResponse response = response(run(filters(auth, RouteAuth.REQUIRED), exchange));
      assertThat(response.status().code()).isEqualTo(401);
      assertThat(response.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"");
      bodies.add(body(response));
    }
    assertThat(bodies.get(0)).isEqualTo(bodies.get(1));
    assertThat(audit)
        .extracting(e -> e.details().get("error_code"))
        .containsExactly("revoked", "unknown_key");
    assertThat(audit.get(0).details()).containsEntry("key_id", "kid456");
    assertThat(audit.get(0).principal()).isEqualTo("bob");
    assertThat(audit)
        .allSatisfy(
            e -> assertThat(e.toString()).doesNotContain(OTHER_KEY).doesNotContain(mistyped));
  }

  @Test
  void repeatedFailuresBlockTheAddressForAGrowingTime() {
    Authentication auth = authentication();
    RequestFilter[] chain = filters(auth, RouteAuth.REQUIRED);
    for (int round = 1; round <= 2; round++) {
      for (int i = 0; i < 3; i++) {
        TestExchange exchange =
            new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.3");
        exchange.headers.set("X-API-Key", "atl_user_guess" + i);
        assertThat(response(run(chain, exchange)).status().code()).isEqualTo(401);
      }
      TestExchange valid = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.3");
      valid.headers.set("X-API-Key", USER_KEY);
      GatewayResponse blocked = response(run(chain, valid));
      assertThat(blocked.status().code()).isEqualTo(429);
      long expectedSeconds = round == 1 ? 30 : 60;
      assertThat(blocked.headers().get("Retry-After")).isEqualTo(Long.toString(expectedSeconds));
      assertThat(body(blocked)).contains("too_many_failed_attempts");
      // Another address is not affected.
      TestExchange other = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.4");
      other.headers.set("X-API-Key", USER_KEY);
      assertThat(run(chain, other)).isSameAs(FilterDecision.CONTINUE);
      clock.addAndGet(Duration.ofSeconds(expectedSeconds + 1).toNanos());
    }
    assertThat(audit).filteredOn(e -> e.action().equals("auth.ip_blocked")).hasSize(2);
    assertThat(auth.attemptsByMethod().get("api_key")[3]).isEqualTo(2);
  }

  @Test
  void aVerdictThatArrivesLaterIsAppliedOnTheExchangeLoop() {
    Authentication auth = authentication();
    pendingJwt = new CompletableFuture<>();
    TestExchange exchange = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.5");
    exchange.headers.set("Authorization", "Bearer " + JWT);
    FilterDecision decision = filters(auth, RouteAuth.REQUIRED)[0].onRequest(exchange);
    assertThat(decision).isInstanceOf(FilterDecision.Deferred.class);
    CompletableFuture<FilterDecision> stage =
        ((FilterDecision.Deferred) decision).stage().toCompletableFuture();
    pendingJwt.complete(
        new AuthVerdict.Authenticated(
            new Principal(
                "svc", null, "jwt", Set.of("confluence:read"), "jti-1", null, "cli", null)));
    assertThat(stage).isNotDone();
    assertThat(exchange.get(Principal.KEY)).isNull();
    assertThat(settle(decision, exchange)).isSameAs(FilterDecision.CONTINUE);
    assertThat(exchange.<Principal>get(Principal.KEY).permissions())
        .contains("confluence.pages.view");
    assertThat(exchange.headers.get("Authorization")).startsWith("Bearer signed-svc-for-jira-api");
  }

  @Test
  void anUnavailableVerifierAnswers503WithRetryAfter() {
    Authentication auth = authentication();
    pendingJwt = CompletableFuture.completedFuture(new AuthVerdict.Unavailable("jwks down"));
    TestExchange exchange = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.6");
    exchange.headers.set("Authorization", "Bearer " + JWT);
    GatewayResponse response = response(run(filters(auth, RouteAuth.REQUIRED), exchange));
    assertThat(response.status().code()).isEqualTo(503);
    assertThat(response.headers().get("Retry-After")).isEqualTo("1");
    assertThat(body(response)).doesNotContain("jwks down");
  }

  @Test
  void aCredentialKindTheRouteDoesNotAcceptIsRefused() {
    Authentication auth = authentication();
    TestExchange exchange = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.7");
    exchange.headers.set("Authorization", "Bearer " + JWT);
    RouteAuth keysOnly = new RouteAuth(List.of(RouteAuth.API_KEY), false);
    assertThat(response(run(filters(auth, keysOnly), exchange)).status().code()).isEqualTo(401);
    assertThat(audit.get(0).details()).containsEntry("error_code", "method_not_accepted");
  }

  @Test
  void twoCredentialsOrAnotherSchemeAreABadRequest() {
    Authentication auth = authentication();
    TestExchange both = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.8");
    both.headers.set("Authorization", "Bearer " + USER_KEY);
    both.headers.set("X-API-Key", USER_KEY);
    assertThat(response(run(filters(auth, RouteAuth.REQUIRED), both)).status().code())
        .isEqualTo(400);
    TestExchange basic = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.8");
    basic.headers.set("Authorization", "Basic YWxpY2U6c2VjcmV0");
    GatewayResponse response = response(run(filters(auth, RouteAuth.REQUIRED), basic));
    assertThat(response.status().code()).isEqualTo(400);
    assertThat(body(response)).doesNotContain("YWxpY2U6c2VjcmV0");
  }

  @Test
  void aCredentialHeaderSentTwiceIsABadRequest() {
    Authentication auth = authentication();
    for (String header : List.of("Authorization", "X-API-Key")) {
      String value = header.equals("Authorization") ? "Bearer " + USER_KEY : USER_KEY;
      TestExchange twice = new TestExchange(HttpMethod.GET, "/rest/api/3/issue/A-1", "10.0.0.8");
      twice.headers.add(header, value);
      twice.headers.add(header, value);
      GatewayResponse response = response(run(filters(auth, RouteAuth.REQUIRED), twice));
      assertThat(response.status().code()).as(header).isEqualTo(400);
      assertThat(body(response)).as(header).contains("send one credential header");
    }
  }

  @Test
  void aPrincipalWithoutThePermissionIsForbiddenAndAudited() {
    Authentication auth = authentication();
    TestExchange exchange = new TestExchange(HttpMethod.POST, "/rest/api/3/issue", "10.0.0.9");
    exchange.headers.set("X-API-Key", USER_KEY);
    GatewayResponse response = response(run(filters(auth, RouteAuth.REQUIRED), exchange));
    assertThat(response.status().code()).isEqualTo(403);
    assertThat(body(response)).contains("jira.issues.create");
    assertThat(audit)
        .last()
        .satisfies(
            e -> {
              assertThat(e.action()).isEqualTo("auth.permission_denied");
              assertThat(e.details()).containsEntry("resource_accessed", "POST /rest/api/3/issue");
            });
    assertThat(auth.permissionDenials()).isEqualTo(1);
  }
}
