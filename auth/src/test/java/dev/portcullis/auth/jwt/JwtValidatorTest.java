package dev.portcullis.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.config.Secret;
import dev.portcullis.core.identity.Principal;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The validator against real signatures and a JWKS served over HTTP on a loopback port. */
class JwtValidatorTest {
  private static final String ISSUER = "https://idp.example.com/";
  private static final String AUDIENCE = "portcullis";
  private static final String SECRET = "0123456789abcdef0123456789abcdef-hs256";

  private static KeyPair rsa1;
  private static KeyPair rsa2;
  private static KeyPair ec;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private JwksTestServer jwks;

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    rsa1 = rsa.generateKeyPair();
    rsa2 = rsa.generateKeyPair();
    KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
    ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
    ec = ecGenerator.generateKeyPair();
  }

  @BeforeEach
  void startJwks() throws Exception {
    jwks = new JwksTestServer();
    jwks.publish(jwksOf(jwk(rsa1.getPublic(), "k1")));
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    jwks.close();
  }

  // ---- helpers ----

  private static PublicJwk<?> jwk(PublicKey key, String kid) {
    return (PublicJwk<?>) Jwks.builder().key(key).id(kid).build();
  }

  private static String jwksOf(Jwk<?>... keys) {
    StringBuilder json = new StringBuilder("{\"keys\":[");
    for (int i = 0; i < keys.length; i++) {
      json.append(i > 0 ? "," : "").append(Jwks.json((PublicJwk<?>) keys[i]));
    }
    return json.append("]}").toString();
  }

  private static JwtConfig.Issuer rsIssuer(URI url, String... algorithms) {
    return new JwtConfig.Issuer(
        ISSUER, url, null, AUDIENCE, List.of(algorithms), Duration.ofMinutes(5), "org");
  }

  private JwtValidator validator(TokenRevocations revocations, JwtConfig.Issuer... issuers) {
    return validator(revocations, Duration.ofSeconds(5), issuers);
  }

  private JwtValidator validator(
      TokenRevocations revocations, Duration fetchTimeout, JwtConfig.Issuer... issuers) {
    JwtConfig config =
        new JwtConfig(
            List.of(issuers),
            JwtConfig.DEFAULT_MAX_TOKEN_BYTES,
            new JwtConfig.JwksSettings(
                Duration.ofSeconds(30), Duration.ofMinutes(10), fetchTimeout),
            null,
            JwtConfig.IdentityToken.DEFAULTS);
    JwtValidator validator = JwtValidator.create(config, revocations, clock);
    closeables.add(validator);
    return validator;
  }

  private JwtValidator validator(JwtConfig.Issuer... issuers) {
    return validator(TokenRevocations.inMemory(clock), issuers);
  }

  private String token(Key key, SecureDigestAlgorithm<?, ?> alg, String kid) {
    return token(key, alg, kid, b -> {});
  }

  /** A token valid now, with the test's defaults, then {@code adjust} applied. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private String token(
      Key key, SecureDigestAlgorithm<?, ?> alg, String kid, Consumer<JwtBuilder> adjust) {
    Instant now = clock.instant();
    JwtBuilder builder =
        Jwts.builder()
            .header()
            .keyId(kid)
            .and()
            .issuer(ISSUER)
            .audience()
            .add(AUDIENCE)
            .and()
            .subject("alice")
            .id(UUID.randomUUID().toString())
            .issuedAt(Date.from(now))
            .expiration(Date.from(now.plusSeconds(300)))
            .claim("org", "acme")
            .claim("scope", "jira:read confluence:read")
            .claim("azp", "cli-app");
    adjust.accept(builder);
    return builder.signWith(key, (SecureDigestAlgorithm) alg).compact();
  }

  private static AuthVerdict await(java.util.concurrent.CompletionStage<AuthVerdict> stage)
      throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static AuthFailure failure(AuthVerdict verdict) {
    assertThat(verdict).isInstanceOf(AuthVerdict.Rejected.class);
    return ((AuthVerdict.Rejected) verdict).failure();
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private String payloadJson() {
    long now = clock.millis() / 1000;
    return "{\"iss\":\""
        + ISSUER
        + "\",\"aud\":\""
        + AUDIENCE
        + "\",\"sub\":\"mallory\",\"iat\":"
        + now
        + ",\"exp\":"
        + (now + 300)
        + "}";
  }

  // ---- tests ----

  @Test
  void validRs256TokenThroughJwksGivesThePrincipal() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    String token = token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1", b -> b.id("token-1"));

    AuthVerdict verdict = await(validator.verify(token));

    assertThat(verdict).isInstanceOf(AuthVerdict.Authenticated.class);
    Principal principal = ((AuthVerdict.Authenticated) verdict).principal();
    assertThat(principal.subject()).isEqualTo("alice");
    assertThat(principal.tenant()).isEqualTo("acme");
    assertThat(principal.authMethod()).isEqualTo("jwt");
    assertThat(principal.scopes()).containsExactlyInAnyOrder("jira:read", "confluence:read");
    assertThat(principal.credentialId()).isEqualTo("token-1");
    assertThat(principal.clientId()).isEqualTo("cli-app");
    // The key is cached now: the next token is answered at once, without another fetch.
    var second = validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1"));
    assertThat(second.toCompletableFuture().isDone()).isTrue();
    assertThat(second.toCompletableFuture().join()).isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(jwks.fetches()).isEqualTo(1);
  }

  @Test
  void scopesComeFromScpAsListOrStringAndClientIdFromClientId() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    String listed =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b -> b.claim("scope", null).claim("scp", List.of("a", "b")).claim("client_id", "svc"));
    Principal p = ((AuthVerdict.Authenticated) await(validator.verify(listed))).principal();
    assertThat(p.scopes()).containsExactlyInAnyOrder("a", "b");
    assertThat(p.clientId()).isEqualTo("svc");

    String spaced =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b -> b.claim("scope", null).claim("scp", "c d"));
    assertThat(((AuthVerdict.Authenticated) await(validator.verify(spaced))).principal().scopes())
        .containsExactlyInAnyOrder("c", "d");
  }

  @Test
  void rotatedKeyIsFetchedOnceItsKidAppearsAndRefreshesAreRateLimited() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    assertThat(await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1"))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(jwks.fetches()).isEqualTo(1);

    jwks.publish(jwksOf(jwk(rsa1.getPublic(), "k1"), jwk(rsa2.getPublic(), "k2")));
    // Within the minimum interval of the start-up fetch: no refetch, the unknown kid is refused.
    assertThat(failure(await(validator.verify(token(rsa2.getPrivate(), Jwts.SIG.RS256, "k2")))))
        .isEqualTo(AuthFailure.BAD_SIGNATURE);
    assertThat(jwks.fetches()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(31));
    assertThat(await(validator.verify(token(rsa2.getPrivate(), Jwts.SIG.RS256, "k2"))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(jwks.fetches()).isEqualTo(2);

    // A made-up kid right after: refused without a fetch; after the interval, one fetch.
    for (int i = 0; i < 5; i++) {
      assertThat(failure(await(validator.verify(token(rsa2.getPrivate(), Jwts.SIG.RS256, "k3")))))
          .isEqualTo(AuthFailure.BAD_SIGNATURE);
    }
    assertThat(jwks.fetches()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(31));
    assertThat(failure(await(validator.verify(token(rsa2.getPrivate(), Jwts.SIG.RS256, "k3")))))
        .isEqualTo(AuthFailure.BAD_SIGNATURE);
    assertThat(jwks.fetches()).isEqualTo(3);
    // Both published keys still verify, from the cache.
    assertThat(
            validator
                .verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1"))
                .toCompletableFuture()
                .join())
        .isInstanceOf(AuthVerdict.Authenticated.class);
  }

  @Test
  void concurrentTokensWaitingForAKeyShareOneFetch() throws Exception {
    CountDownLatch release = jwks.hold();
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    List<CompletableFuture<AuthVerdict>> pending = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pending.add(
          validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1")).toCompletableFuture());
    }
    assertThat(pending).noneMatch(CompletableFuture::isDone);

    release.countDown();

    for (CompletableFuture<AuthVerdict> verdict : pending) {
      assertThat(verdict.get(20, TimeUnit.SECONDS)).isInstanceOf(AuthVerdict.Authenticated.class);
    }
    assertThat(jwks.fetches()).isEqualTo(1);
  }

  @Test
  void algNoneIsRefused() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    String unsigned = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(payloadJson()) + ".";
    assertThat(failure(await(validator.verify(unsigned)))).isEqualTo(AuthFailure.BAD_ALGORITHM);
    String upper = b64("{\"alg\":\"NONE\",\"kid\":\"k1\"}") + "." + b64(payloadJson()) + ".";
    assertThat(failure(await(validator.verify(upper)))).isEqualTo(AuthFailure.BAD_ALGORITHM);
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyIsRefused() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    // The classic confusion: the public key (known to everyone) used as an HMAC secret.
    String signingInput =
        b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}") + "." + b64(payloadJson());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(rsa1.getPublic().getEncoded(), "HmacSHA256"));
    String forged =
        signingInput
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));

    assertThat(failure(await(validator.verify(forged)))).isEqualTo(AuthFailure.BAD_ALGORITHM);
  }

  @Test
  void anAllowedAlgorithmThatDoesNotFitTheKeyIsRefused() throws Exception {
    // ES256 is allowed, but k1 is an RSA key: the header must not pick how the key is used.
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256", "ES256"));
    String token = token(ec.getPrivate(), Jwts.SIG.ES256, "k1");
    assertThat(failure(await(validator.verify(token)))).isEqualTo(AuthFailure.BAD_ALGORITHM);
  }

  @Test
  void es256AndPs256AreAcceptedWhenAllowedAndRefusedOtherwise() throws Exception {
    jwks.publish(jwksOf(jwk(rsa1.getPublic(), "k1"), jwk(ec.getPublic(), "e1")));
    JwtValidator validator = validator(rsIssuer(jwks.url(), "ES256", "PS256"));
    assertThat(await(validator.verify(token(ec.getPrivate(), Jwts.SIG.ES256, "e1"))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.PS256, "k1"))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    // RS256 is not in this issuer's list.
    assertThat(failure(await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1")))))
        .isEqualTo(AuthFailure.BAD_ALGORITHM);

    JwtValidator rsOnly = validator(rsIssuer(jwks.url(), "RS256"));
    assertThat(failure(await(rsOnly.verify(token(ec.getPrivate(), Jwts.SIG.ES256, "e1")))))
        .isEqualTo(AuthFailure.BAD_ALGORITHM);
  }

  @Test
  void expiredTokenIsRefusedBeyondTheSkewOnly() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    Instant now = clock.instant();
    String expired =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b ->
                b.id("old")
                    .issuedAt(Date.from(now.minusSeconds(3600)))
                    .expiration(Date.from(now.minusSeconds(6 * 60))));
    AuthVerdict verdict = await(validator.verify(expired));
    assertThat(verdict).isEqualTo(new AuthVerdict.Rejected(AuthFailure.EXPIRED, "old", "alice"));

    String withinSkew =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b -> b.expiration(Date.from(now.minusSeconds(60))));
    assertThat(await(validator.verify(withinSkew))).isInstanceOf(AuthVerdict.Authenticated.class);
  }

  @Test
  void aTokenVerifiedBeforeIsAnsweredFromCacheUntilItExpires() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    String token = token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1", b -> b.id("reused"));
    AuthVerdict first = await(validator.verify(token));
    assertThat(first).isInstanceOf(AuthVerdict.Authenticated.class);
    var again = validator.verify(token).toCompletableFuture();
    assertThat(again.isDone()).isTrue();
    assertThat(again.join()).isEqualTo(first);

    clock.advance(Duration.ofMinutes(4)); // exp is at +5m, the skew 5m more
    assertThat(await(validator.verify(token))).isEqualTo(first);
    clock.advance(Duration.ofMinutes(7));
    assertThat(await(validator.verify(token)))
        .isEqualTo(new AuthVerdict.Rejected(AuthFailure.EXPIRED, "reused", "alice"));
  }

  @Test
  void notBeforeOrIssuedAtInTheFutureIsRefused() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    Instant now = clock.instant();
    String early =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b ->
                b.notBefore(Date.from(now.plusSeconds(6 * 60)))
                    .expiration(Date.from(now.plusSeconds(3600))));
    assertThat(failure(await(validator.verify(early)))).isEqualTo(AuthFailure.NOT_YET_VALID);

    String issuedLater =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b ->
                b.issuedAt(Date.from(now.plusSeconds(6 * 60)))
                    .expiration(Date.from(now.plusSeconds(3600))));
    assertThat(failure(await(validator.verify(issuedLater)))).isEqualTo(AuthFailure.NOT_YET_VALID);

    String slightlyEarly =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b -> b.notBefore(Date.from(now.plusSeconds(60))));
    assertThat(await(validator.verify(slightlyEarly)))
        .isInstanceOf(AuthVerdict.Authenticated.class);
  }

  @Test
  void wrongIssuerAndWrongAudienceAreRefused() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    String otherIssuer =
        token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1", b -> b.issuer("https://evil.example.com/"));
    assertThat(failure(await(validator.verify(otherIssuer)))).isEqualTo(AuthFailure.UNKNOWN_ISSUER);
    String noIssuer = token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1", b -> b.issuer(null));
    assertThat(failure(await(validator.verify(noIssuer)))).isEqualTo(AuthFailure.UNKNOWN_ISSUER);

    String otherAudience =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b -> b.audience().clear().add("someone-else").add("other").and());
    assertThat(failure(await(validator.verify(otherAudience)))).isEqualTo(AuthFailure.BAD_AUDIENCE);
    String amongOthers =
        token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1", b -> b.audience().add("someone-else").and());
    assertThat(await(validator.verify(amongOthers))).isInstanceOf(AuthVerdict.Authenticated.class);
  }

  @Test
  void missingExpIsRefused() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    String forever = token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1", b -> b.expiration(null));
    assertThat(failure(await(validator.verify(forever)))).isEqualTo(AuthFailure.MISSING_CLAIM);
  }

  @Test
  void oversizedTokenIsRefusedBeforeDecoding() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    String big =
        token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1", b -> b.claim("pad", "x".repeat(9000)));
    assertThat(big.length()).isGreaterThan(8192);
    assertThat(failure(await(validator.verify(big)))).isEqualTo(AuthFailure.TOO_LARGE);
  }

  @Test
  void tamperedOrGarbageTokensAreRefused() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    String token = token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1");
    String[] parts = token.split("\\.");
    String tampered = parts[0] + "." + b64(payloadJson()) + "." + parts[2];
    assertThat(failure(await(validator.verify(tampered)))).isEqualTo(AuthFailure.BAD_SIGNATURE);
    // Signed by a key that is not the one its kid names.
    String wrongKey = token(rsa2.getPrivate(), Jwts.SIG.RS256, "k1");
    assertThat(failure(await(validator.verify(wrongKey)))).isEqualTo(AuthFailure.BAD_SIGNATURE);
    assertThat(failure(await(validator.verify("not-a-jwt")))).isEqualTo(AuthFailure.MALFORMED);
    assertThat(failure(await(validator.verify("a.b.c")))).isEqualTo(AuthFailure.MALFORMED);
  }

  @Test
  void revokedJtiIsRefusedUntilTheTokenWouldHaveExpired() throws Exception {
    TokenRevocations revocations = TokenRevocations.inMemory(clock);
    JwtValidator validator = validator(revocations, rsIssuer(jwks.url(), "RS256"));
    Instant exp = clock.instant().plusSeconds(300);
    String token =
        token(
            rsa1.getPrivate(),
            Jwts.SIG.RS256,
            "k1",
            b -> b.id("stolen").expiration(Date.from(exp)));
    assertThat(await(validator.verify(token))).isInstanceOf(AuthVerdict.Authenticated.class);

    revocations.revoke("stolen", exp).toCompletableFuture().join();

    assertThat(await(validator.verify(token)))
        .isEqualTo(new AuthVerdict.Rejected(AuthFailure.REVOKED, "stolen", "alice"));
    assertThat(await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1"))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    clock.advance(Duration.ofSeconds(301));
    assertThat(revocations.isRevoked("stolen").toCompletableFuture().join()).isFalse();
  }

  @Test
  void unreachableJwksMakesTheVerdictUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    JwtValidator validator =
        validator(rsIssuer(URI.create("http://127.0.0.1:" + closedPort + "/jwks.json"), "RS256"));
    AuthVerdict verdict = await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1")));
    assertThat(verdict).isInstanceOf(AuthVerdict.Unavailable.class);
    assertThat(((AuthVerdict.Unavailable) verdict).reason()).contains(ISSUER).doesNotContain("eyJ");
  }

  @Test
  void aStaleKeySetIsRefetchedInTheBackgroundOnce() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    assertThat(await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1"))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    jwks.publish(jwksOf(jwk(rsa2.getPublic(), "k2")));
    clock.advance(Duration.ofMinutes(11));

    // Answered from the old set at once; the refetch runs behind it.
    var answer = validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1"));
    assertThat(answer.toCompletableFuture().isDone()).isTrue();
    assertThat(answer.toCompletableFuture().join()).isInstanceOf(AuthVerdict.Authenticated.class);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    AuthVerdict rotated;
    do {
      Thread.sleep(20);
      rotated = await(validator.verify(token(rsa2.getPrivate(), Jwts.SIG.RS256, "k2")));
    } while (!(rotated instanceof AuthVerdict.Authenticated) && System.nanoTime() < deadline);
    assertThat(rotated).isInstanceOf(AuthVerdict.Authenticated.class);
    for (int i = 0; i < 10; i++) {
      validator.verify(token(rsa2.getPrivate(), Jwts.SIG.RS256, "k2"));
    }
    assertThat(jwks.fetches()).isEqualTo(2);
  }

  @Test
  void aKeySetWhoseBodyNeverEndsMakesTheVerdictUnavailableInsteadOfHanging() throws Exception {
    JwtValidator validator =
        validator(
            TokenRevocations.inMemory(clock),
            Duration.ofMillis(500),
            rsIssuer(jwks.trickleUrl(), "RS256"));
    AuthVerdict verdict = await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1")));
    assertThat(verdict).isInstanceOf(AuthVerdict.Unavailable.class);
  }

  @Test
  void cachedKeysKeepWorkingWhileTheJwksIsDown() throws Exception {
    JwtValidator validator = validator(rsIssuer(jwks.url(), "RS256"));
    assertThat(await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1"))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    jwks.close();
    clock.advance(Duration.ofMinutes(11)); // past the cache TTL: a background refetch fails
    assertThat(await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1"))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    // An unknown kid now cannot be looked up: unavailable, not a false "bad signature".
    clock.advance(Duration.ofSeconds(31));
    assertThat(await(validator.verify(token(rsa2.getPrivate(), Jwts.SIG.RS256, "k2"))))
        .isInstanceOf(AuthVerdict.Unavailable.class);
  }

  @Test
  void hs256IssuerVerifiesWithItsSharedSecretOnly() throws Exception {
    JwtConfig.Issuer hs =
        new JwtConfig.Issuer(
            ISSUER,
            null,
            Secret.of(SECRET),
            AUDIENCE,
            List.of("HS256"),
            Duration.ofMinutes(5),
            "org");
    JwtValidator validator = validator(hs);
    SecretKeySpec right = new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    SecretKeySpec wrong =
        new SecretKeySpec(
            "another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    assertThat(await(validator.verify(token(right, Jwts.SIG.HS256, null))))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(failure(await(validator.verify(token(wrong, Jwts.SIG.HS256, null)))))
        .isEqualTo(AuthFailure.BAD_SIGNATURE);
    // An RS256 token claiming this issuer is refused: the issuer allows HS256 only.
    assertThat(failure(await(validator.verify(token(rsa1.getPrivate(), Jwts.SIG.RS256, "k1")))))
        .isEqualTo(AuthFailure.BAD_ALGORITHM);
  }
}
