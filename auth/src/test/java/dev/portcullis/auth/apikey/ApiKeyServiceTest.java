package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.testing.KeyStores;
import dev.portcullis.auth.testing.MutableClock;
import dev.portcullis.core.config.ApiKeysConfig;
import dev.portcullis.core.config.Secret;
import dev.portcullis.core.identity.Principal;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The key service against the real stores: every test runs on H2 and on the PostgreSQL at
 * 127.0.0.1:5432, each in a database or schema of its own.
 */
class ApiKeyServiceTest {
  static final Secret PEPPER = Secret.of("test-pepper-" + "x".repeat(40));
  private static final InetAddress CLIENT = address("10.1.2.3");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private KeyStores stores(KeyStores.Kind kind) {
    KeyStores stores = new KeyStores(kind);
    toClose.add(stores);
    return stores;
  }

  private ApiKeyService open(KeyStores stores, ApiKeysConfig config) {
    ApiKeyService service = ApiKeyService.open(config, null, clock, stores.schema());
    toClose.add(service);
    return service;
  }

  private ApiKeyService open(KeyStores stores) {
    return open(stores, config(stores));
  }

  /** Last-used written, and keys in use refreshed, every 100 ms instead of every 5 s. */
  private static ApiKeysConfig fastFlush(KeyStores stores) {
    ApiKeysConfig base = config(stores);
    return new ApiKeysConfig(
        base.store(),
        base.pepper(),
        base.validTtl(),
        base.invalidTtl(),
        base.cacheMaxEntries(),
        base.rotationGrace(),
        base.expiry(),
        Duration.ofMillis(100),
        null);
  }

  /** As another tool would: the service hears nothing of it. */
  private static void revokeBehindTheServicesBack(KeyStores stores, String id) throws Exception {
    stores.sql("UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP WHERE id = '" + id + "'");
  }

  /** The refusal a background refresh (on the last-used flusher) brings, within 5 s. */
  private AuthVerdict.Rejected rejectedWithin5s(ApiKeyService service, String key)
      throws InterruptedException {
    AuthVerdict verdict = verify(service, key, CLIENT);
    for (int i = 0; i < 100 && !(verdict instanceof AuthVerdict.Rejected); i++) {
      Thread.sleep(50);
      verdict = verify(service, key, CLIENT);
    }
    return rejected(verdict);
  }

  static ApiKeysConfig config(KeyStores stores) {
    return ApiKeysConfig.DEFAULTS.withStore(stores.store()).withPepper(PEPPER);
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static NewApiKey request(ApiKeyType type, String subject, List<String> scopes) {
    return new NewApiKey(type, subject, "acme", scopes, null, false, List.of(), null);
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private AuthVerdict verify(ApiKeyService service, String key, InetAddress from) {
    return await(service.verify(key, from));
  }

  private static AuthVerdict.Rejected rejected(AuthVerdict verdict) {
    assertThat(verdict).isInstanceOf(AuthVerdict.Rejected.class);
    return (AuthVerdict.Rejected) verdict;
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void everyKeyTypeAuthenticatesWithItsPrincipal(KeyStores.Kind kind) {
    ApiKeyService service = open(stores(kind));
    for (ApiKeyType type : List.of(ApiKeyType.USER, ApiKeyType.SERVICE, ApiKeyType.ADMIN)) {
      IssuedApiKey issued =
          await(
              service.create(
                  new NewApiKey(
                      type,
                      "svc-" + type.configName(),
                      "acme",
                      List.of("jira:read", "confluence:write"),
                      null,
                      false,
                      List.of(),
                      "500/hour")));
      assertThat(issued.key()).startsWith(type.prefix());
      AuthVerdict verdict = verify(service, issued.key(), CLIENT);
      assertThat(verdict).isInstanceOf(AuthVerdict.Authenticated.class);
      Principal p = ((AuthVerdict.Authenticated) verdict).principal();
      assertThat(p.subject()).isEqualTo("svc-" + type.configName());
      assertThat(p.tenant()).isEqualTo("acme");
      assertThat(p.authMethod()).isEqualTo("api_key");
      assertThat(p.scopes()).containsExactlyInAnyOrder("jira:read", "confluence:write");
      assertThat(p.credentialId()).isEqualTo(issued.info().id());
      assertThat(p.keyType()).isEqualTo(type.configName());
      assertThat(p.rateLimit()).isEqualTo("500/hour");
      // answered from the cache the second time: the same verdict
      assertThat(verify(service, issued.key(), CLIENT)).isEqualTo(verdict);
    }
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void defaultLifetimesFollowTheKeyType(KeyStores.Kind kind) {
    ApiKeyService service = open(stores(kind));
    Instant now = clock.instant();
    assertThat(await(service.create(request(ApiKeyType.USER, "u", List.of()))).info().expires())
        .isEqualTo(now.plus(Duration.ofDays(365)));
    assertThat(await(service.create(request(ApiKeyType.SERVICE, "s", List.of()))).info().expires())
        .isNull();
    assertThat(await(service.create(request(ApiKeyType.ADMIN, "a", List.of()))).info().expires())
        .isEqualTo(now.plus(Duration.ofDays(90)));
    NewApiKey past =
        new NewApiKey(
            ApiKeyType.USER, "u", null, List.of(), now.minusSeconds(1), false, List.of(), null);
    assertThatThrownBy(() -> await(service.create(past)))
        .rootCause()
        .isInstanceOf(InvalidKeyRequest.class)
        .hasMessageStartingWith("expires: ");
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void malformedAndMistypedKeysAreRefusedWithoutAStoreLookup(KeyStores.Kind kind) throws Exception {
    KeyStores stores = stores(kind);
    ApiKeyService service = open(stores);
    String key = await(service.create(request(ApiKeyType.USER, "alice", List.of()))).key();
    String typo = key.substring(0, 20) + (key.charAt(20) == 'A' ? 'B' : 'A') + key.substring(21);
    stores.breakStore(); // any lookup would now answer Unavailable
    assertThat(rejected(verify(service, typo, CLIENT)).failure()).isEqualTo(AuthFailure.CHECKSUM);
    assertThat(rejected(verify(service, "not-a-key", CLIENT)).failure())
        .isEqualTo(AuthFailure.MALFORMED);
    assertThat(rejected(verify(service, "", CLIENT)).failure()).isEqualTo(AuthFailure.MALFORMED);
    assertThat(verify(service, key, CLIENT)).isInstanceOf(AuthVerdict.Unavailable.class);
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void unknownIdsAndWrongSecretsAreRefusedAndTheRightKeyStillWorks(KeyStores.Kind kind) {
    ApiKeyService service = open(stores(kind));
    IssuedApiKey issued = await(service.create(request(ApiKeyType.SERVICE, "ci", List.of())));
    String unknown = ApiKeyFormat.generate(ApiKeyType.SERVICE, new SecureRandom()).clearText();
    AuthVerdict.Rejected u = rejected(verify(service, unknown, CLIENT));
    assertThat(u.failure()).isEqualTo(AuthFailure.UNKNOWN_KEY);
    assertThat(u.subject()).isNull();
    String wrongSecret =
        ApiKeyFormat.withNewSecret(ApiKeyType.SERVICE, issued.info().id(), new SecureRandom());
    AuthVerdict.Rejected w = rejected(verify(service, wrongSecret, CLIENT));
    assertThat(w.failure()).isEqualTo(AuthFailure.BAD_SECRET);
    assertThat(w.credentialId()).isEqualTo(issued.info().id());
    // twice: the refusal is cached under the wrong secret only
    assertThat(rejected(verify(service, wrongSecret, CLIENT)).failure())
        .isEqualTo(AuthFailure.BAD_SECRET);
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void aKeyExpiresOnTimeEvenWhileCached(KeyStores.Kind kind) {
    ApiKeyService service = open(stores(kind));
    NewApiKey shortLived =
        new NewApiKey(
            ApiKeyType.USER,
            "bob",
            null,
            List.of(),
            clock.instant().plus(Duration.ofMinutes(2)),
            false,
            List.of(),
            null);
    IssuedApiKey issued = await(service.create(shortLived));
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    clock.advance(Duration.ofMinutes(3)); // inside the 5 min valid TTL
    AuthVerdict.Rejected r = rejected(verify(service, issued.key(), CLIENT));
    assertThat(r.failure()).isEqualTo(AuthFailure.EXPIRED);
    assertThat(r.credentialId()).isEqualTo(issued.info().id());
    assertThat(r.subject()).isEqualTo("bob");
    clock.advance(Duration.ofMinutes(10)); // from the store this time
    assertThat(rejected(verify(service, issued.key(), CLIENT)).failure())
        .isEqualTo(AuthFailure.EXPIRED);
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void revocationTakesEffectAtOnceDespiteTheCache(KeyStores.Kind kind) {
    ApiKeyService service = open(stores(kind));
    IssuedApiKey issued = await(service.create(request(ApiKeyType.USER, "carol", List.of())));
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    ApiKeyInfo revoked = await(service.revoke(issued.info().id())).orElseThrow();
    assertThat(revoked.revokedAt()).isEqualTo(clock.instant());
    assertThat(revoked.status(clock.instant())).isEqualTo("revoked");
    AuthVerdict.Rejected r = rejected(verify(service, issued.key(), CLIENT));
    assertThat(r.failure()).isEqualTo(AuthFailure.REVOKED);
    assertThat(r.credentialId()).isEqualTo(issued.info().id());
    assertThat(r.subject()).isEqualTo("carol");
    assertThat(await(service.revoke("nosuchkey123"))).isEmpty();
    assertThat(await(service.rotate(issued.info().id()))).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void aKeyIsRefusedFromOutsideItsAllowedNetworks(KeyStores.Kind kind) {
    ApiKeyService service = open(stores(kind));
    NewApiKey pinned =
        new NewApiKey(
            ApiKeyType.SERVICE,
            "deploy-bot",
            null,
            List.of("jira:write"),
            null,
            false,
            List.of("10.0.0.0/8", "2001:db8::/32"),
            null);
    IssuedApiKey issued = await(service.create(pinned));
    assertThat(issued.info().allowedIps()).containsExactly("10.0.0.0/8", "2001:db8::/32");
    assertThat(verify(service, issued.key(), address("10.200.0.1")))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(verify(service, issued.key(), address("2001:db8::7")))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    AuthVerdict.Rejected r = rejected(verify(service, issued.key(), address("192.168.1.1")));
    assertThat(r.failure()).isEqualTo(AuthFailure.IP_NOT_ALLOWED);
    assertThat(r.credentialId()).isEqualTo(issued.info().id());
    assertThat(r.subject()).isEqualTo("deploy-bot");
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void aRotatedKeysOldSecretWorksUntilTheGracePeriodEnds(KeyStores.Kind kind) {
    KeyStores stores = stores(kind);
    ApiKeysConfig base = config(stores);
    ApiKeysConfig oneHourGrace =
        new ApiKeysConfig(
            base.store(),
            base.pepper(),
            base.validTtl(),
            base.invalidTtl(),
            base.cacheMaxEntries(),
            Duration.ofHours(1),
            base.expiry(),
            base.lastUsedFlush(),
            null);
    ApiKeyService service = open(stores, oneHourGrace);
    IssuedApiKey old = await(service.create(request(ApiKeyType.SERVICE, "etl", List.of())));
    assertThat(verify(service, old.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    IssuedApiKey fresh = await(service.rotate(old.info().id())).orElseThrow();
    assertThat(fresh.key()).isNotEqualTo(old.key()).startsWith("atl_service_");
    assertThat(fresh.info().id()).isEqualTo(old.info().id());
    assertThat(fresh.info().previousValidUntil())
        .isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    assertThat(verify(service, fresh.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(verify(service, old.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    clock.advance(Duration.ofMinutes(61));
    assertThat(rejected(verify(service, old.key(), CLIENT)).failure())
        .isEqualTo(AuthFailure.EXPIRED);
    assertThat(verify(service, fresh.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    // rotating again ends the first secret's grace for good: only one previous secret is kept
    IssuedApiKey third = await(service.rotate(old.info().id())).orElseThrow();
    assertThat(verify(service, third.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(verify(service, fresh.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(rejected(verify(service, old.key(), CLIENT)).failure())
        .isEqualTo(AuthFailure.BAD_SECRET);
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void cachedKeysKeepWorkingWhileTheStoreIsDown(KeyStores.Kind kind) throws Exception {
    KeyStores stores = stores(kind);
    ApiKeyService service = open(stores);
    IssuedApiKey cached = await(service.create(request(ApiKeyType.USER, "dave", List.of())));
    IssuedApiKey uncached = await(service.create(request(ApiKeyType.USER, "erin", List.of())));
    assertThat(verify(service, cached.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    stores.breakStore();
    assertThat(verify(service, cached.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    AuthVerdict down = verify(service, uncached.key(), CLIENT);
    assertThat(down).isInstanceOf(AuthVerdict.Unavailable.class);
    assertThat(((AuthVerdict.Unavailable) down).reason()).doesNotContain(uncached.key());
    // an outage is not cached: still Unavailable, not refused
    assertThat(verify(service, uncached.key(), CLIENT)).isInstanceOf(AuthVerdict.Unavailable.class);
    clock.advance(Duration.ofMinutes(6)); // past the valid TTL the cached key needs the store too
    assertThat(verify(service, cached.key(), CLIENT)).isInstanceOf(AuthVerdict.Unavailable.class);
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void anActiveKeyIsReadAgainBeforeItsEntryExpiresWithoutARequestWaiting(KeyStores.Kind kind)
      throws Exception {
    KeyStores stores = stores(kind);
    ApiKeyService service = open(stores, fastFlush(stores));
    IssuedApiKey issued = await(service.create(request(ApiKeyType.USER, "heidi", List.of())));
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    revokeBehindTheServicesBack(stores, issued.info().id());
    clock.advance(Duration.ofMinutes(3)); // before four fifths of the 5 min valid TTL: no refresh
    assertThat(service.verify(issued.key(), CLIENT).toCompletableFuture().getNow(null))
        .isInstanceOf(AuthVerdict.Authenticated.class);
    Thread.sleep(300); // flushes: the key is in use, but not due
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);

    clock.advance(Duration.ofSeconds(61)); // past four fifths, inside the TTL
    assertThat(service.verify(issued.key(), CLIENT).toCompletableFuture().getNow(null))
        .as("answered from the cache at once while the store is read")
        .isInstanceOf(AuthVerdict.Authenticated.class);
    assertThat(rejectedWithin5s(service, issued.key()).failure())
        .as("the refresh found the revocation before the TTL ended")
        .isEqualTo(AuthFailure.REVOKED);
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void aLegacyKeyInUseIsReadAgainByItsRecordToo(KeyStores.Kind kind) throws Exception {
    KeyStores stores = stores(kind);
    ApiKeyService service = open(stores, fastFlush(stores));
    String legacy = "0123456789abcdef0123456789abcdef";
    ApiKeyInfo imported =
        await(service.importLegacy(legacy, "old-app", null, List.of("jira:read")));
    assertThat(verify(service, legacy, CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    revokeBehindTheServicesBack(stores, imported.id());
    clock.advance(Duration.ofSeconds(250));
    assertThat(rejectedWithin5s(service, legacy).failure()).isEqualTo(AuthFailure.REVOKED);
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void aRefreshThatFailsKeepsTheEntryUntilItsTtl(KeyStores.Kind kind) throws Exception {
    KeyStores stores = stores(kind);
    ApiKeyService service = open(stores, fastFlush(stores));
    IssuedApiKey issued = await(service.create(request(ApiKeyType.USER, "ivan", List.of())));
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    stores.breakStore();
    clock.advance(Duration.ofSeconds(250));
    for (int i = 0; i < 5; i++) {
      assertThat(verify(service, issued.key(), CLIENT))
          .isInstanceOf(AuthVerdict.Authenticated.class);
      Thread.sleep(300);
      clock.advance(Duration.ofSeconds(11)); // past the retry delay: another refresh, failing too
    }
    clock.advance(Duration.ofMinutes(1)); // past the TTL
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Unavailable.class);
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void validAndInvalidVerdictsAreCachedForTheirTtls(KeyStores.Kind kind) throws Exception {
    KeyStores stores = stores(kind);
    ApiKeyService service = open(stores);
    IssuedApiKey issued = await(service.create(request(ApiKeyType.USER, "frank", List.of())));
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    // revoked behind the service's back (another tool): the cache answers, at most until its TTL
    // ends (before four fifths of it, when a key in use is read again)
    revokeBehindTheServicesBack(stores, issued.info().id());
    clock.advance(Duration.ofMinutes(3));
    assertThat(verify(service, issued.key(), CLIENT)).isInstanceOf(AuthVerdict.Authenticated.class);
    clock.advance(Duration.ofMinutes(3));
    assertThat(rejected(verify(service, issued.key(), CLIENT)).failure())
        .isEqualTo(AuthFailure.REVOKED);

    String legacy = "0123456789abcdef0123456789abcdef";
    assertThat(rejected(verify(service, legacy, CLIENT)).failure())
        .isEqualTo(AuthFailure.UNKNOWN_KEY);
    ApiKeyInfo imported =
        await(service.importLegacy(legacy, "old-app", null, List.of("jira:read")));
    clock.advance(Duration.ofSeconds(30));
    assertThat(rejected(verify(service, legacy, CLIENT)).failure())
        .isEqualTo(AuthFailure.UNKNOWN_KEY);
    clock.advance(Duration.ofSeconds(31));
    AuthVerdict verdict = verify(service, legacy, CLIENT);
    assertThat(verdict).isInstanceOf(AuthVerdict.Authenticated.class);
    Principal p = ((AuthVerdict.Authenticated) verdict).principal();
    assertThat(p.keyType()).isEqualTo("legacy");
    assertThat(p.credentialId()).isEqualTo(imported.id());
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void lastUsedIsWrittenBackInBatches(KeyStores.Kind kind) throws Exception {
    KeyStores stores = stores(kind);
    ApiKeyService service = open(stores, fastFlush(stores));
    IssuedApiKey a = await(service.create(request(ApiKeyType.USER, "gina", List.of())));
    IssuedApiKey b = await(service.create(request(ApiKeyType.USER, "hank", List.of())));
    assertThat(a.info().lastUsed()).isNull();
    for (int i = 0; i < 50; i++) {
      verify(service, a.key(), CLIENT);
      verify(service, b.key(), CLIENT);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline
        && (await(service.get(a.info().id())).orElseThrow().lastUsed() == null
            || await(service.get(b.info().id())).orElseThrow().lastUsed() == null)) {
      Thread.sleep(50);
    }
    assertThat(await(service.get(a.info().id())).orElseThrow().lastUsed())
        .isEqualTo(clock.instant());
    assertThat(await(service.get(b.info().id())).orElseThrow().lastUsed())
        .isEqualTo(clock.instant());
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void listingFiltersBySubjectAndTenantAndShowsNoSecret(KeyStores.Kind kind) {
    ApiKeyService service = open(stores(kind));
    IssuedApiKey a =
        await(
            service.create(
                new NewApiKey(
                    ApiKeyType.USER, "ivy", "acme", List.of(), null, false, List.of(), null)));
    await(
        service.create(
            new NewApiKey(
                ApiKeyType.USER, "ivy", "globex", List.of(), null, false, List.of(), null)));
    await(
        service.create(
            new NewApiKey(
                ApiKeyType.SERVICE, "jack", "acme", List.of(), null, false, List.of(), null)));
    assertThat(await(service.list(null, null))).hasSize(3);
    assertThat(await(service.list("ivy", null))).hasSize(2);
    assertThat(await(service.list(null, "acme"))).hasSize(2);
    List<ApiKeyInfo> one = await(service.list("ivy", "acme"));
    assertThat(one).extracting(ApiKeyInfo::id).containsExactly(a.info().id());
    String rendered = one.get(0).toJson(clock.instant()).toString() + one.get(0);
    assertThat(rendered).doesNotContain(a.key().substring(22)).doesNotContain("hash");
    assertThat(await(service.get(a.info().id()))).contains(a.info());
    assertThat(await(service.get("missing"))).isEmpty();
    assertThat(a.toString()).doesNotContain(a.key());
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void aMissingPepperIsAStartupErrorNamingTheKey(KeyStores.Kind kind) {
    KeyStores stores = stores(kind);
    assertThatThrownBy(
            () ->
                ApiKeyService.open(
                    ApiKeysConfig.DEFAULTS.withStore(stores.store()), null, clock, stores.schema()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("auth.api_keys.pepper: missing (expected:");
  }
}
