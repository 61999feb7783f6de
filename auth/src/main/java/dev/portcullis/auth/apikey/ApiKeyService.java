package dev.portcullis.auth.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.store.ApiKeyRecord;
import dev.portcullis.auth.store.CredentialStore;
import dev.portcullis.core.config.ApiKeysConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.Secret;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.EventLoopCaches;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys: validation for the auth pipeline ({@link ApiKeyVerifier}) and management for the admin
 * API and the CLI (create, list, get, revoke, rotate).
 *
 * <p>Validation: a key is parsed first (a bad checksum is refused without a lookup), then hashed
 * under the pepper; the hash keys the validation cache, so a wrong secret for a known id is a
 * different entry from the right one and the cache never holds a clear key. A hit answers with an
 * already-completed stage and allocates only the hash and its wrapper. A miss reads the store on
 * the service's own JDBC threads and completes the stage there: the caller hops back to its event
 * loop. Valid entries live {@code cache.valid_ttl}, refusals {@code cache.invalid_ttl}; expiry and
 * allowed CIDRs are checked on every hit, so a cached key still expires on time and is still
 * refused from a foreign address.
 *
 * <p>When the store is unreachable, cached valid keys keep working; an uncached key is {@link
 * AuthVerdict.Unavailable}. A revocation or rotation drops the key's entries here at once and, with
 * Redis, on every replica through {@link RevocationBus}. {@code last_used} is kept in the cache
 * entry and written back in one UPDATE per {@code last_used_flush}.
 *
 * <p>Thread-safe. Management methods run on the JDBC threads and return stages that complete there.
 */
public final class ApiKeyService implements ApiKeyVerifier, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);
  private static final String AUTH_METHOD = "api_key";
  private static final HexFormat HEX = HexFormat.of();

  /** A failed refresh is tried again this much later; the entry answers meanwhile until its TTL. */
  private static final long REFRESH_RETRY_MILLIS = 10_000;

  private static final String PEPPER_HELP =
      "auth.api_keys.pepper: missing (expected: file:/path or ${ENV_VAR} holding at least 32"
          + " random characters; for example: mkdir -p data && head -c 48 /dev/urandom | base64 >"
          + " data/pepper && chmod 600 data/pepper, then pepper: file:data/pepper)";

  private final ApiKeysConfig config;
  private final CredentialStore store;
  private final ApiKeyHasher hasher;
  private final Clock clock;
  private final ThreadPoolExecutor jdbc;
  private final ScheduledExecutorService flusher;
  private final Cache<Digest, CachedKey> cache;
  private final LastUsedBatch lastUsed;
  private final SecureRandom random = new SecureRandom();
  private final RevocationBus bus;

  /**
   * When each key was last revoked or rotated (nanoTime), kept a minute: a lookup that started
   * before the change may have read the old row, and must not put it in the cache after the
   * invalidation ran.
   */
  private final ConcurrentHashMap<String, Long> changedAt = new ConcurrentHashMap<>();

  /** Four fifths of the valid TTL: an active key is read again before its entry expires. */
  private final long refreshAfterMillis;

  private volatile boolean closed;

  private ApiKeyService(ApiKeysConfig config, CredentialStore store, Clock clock, String redisUri) {
    this.config = config;
    this.store = store;
    this.hasher = new ApiKeyHasher(config.pepper());
    this.clock = clock;
    AtomicInteger threads = new AtomicInteger();
    int size = config.store().poolSize();
    this.jdbc =
        new ThreadPoolExecutor(
            size,
            size,
            60,
            TimeUnit.SECONDS,
            // Bounded: with the store hanging, new lookups are refused (Unavailable) rather than
            // queued without limit.
            new ArrayBlockingQueue<>(4096),
            r -> daemon(r, "portcullis-keystore-" + threads.incrementAndGet()));
    this.flusher =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "portcullis-keystore-flush"));
    this.refreshAfterMillis = config.validTtl().toMillis() * 4 / 5;
    this.cache =
        EventLoopCaches.newBuilder()
            .maximumSize(config.cacheMaxEntries())
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfter(new TtlByVerdict(config.validTtl(), config.invalidTtl()))
            .build();
    this.lastUsed = new LastUsedBatch();
    long flushMillis = config.lastUsedFlush().toMillis();
    flusher.scheduleWithFixedDelay(
        this::flushLastUsed, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
    RevocationBus connected = null;
    if (redisUri != null) {
      try {
        connected = RevocationBus.connect(redisUri, this::invalidateLocally);
      } catch (IllegalStateException e) {
        log.warn("{}; revocations take effect on this replica only", e.getMessage());
      }
    }
    this.bus = connected;
  }

  /**
   * The service the gateway configuration describes: its store opened and migrated, revocations
   * over {@code auth.api_keys.redis_uri}, else {@code rate_limits.redis.uri}, else local only.
   *
   * @throws IllegalStateException naming the key when the pepper is missing or the store cannot be
   *     opened
   */
  public static ApiKeyService open(GatewayConfig gateway) {
    ApiKeysConfig keys = gateway.auth().apiKeys();
    Secret redis = keys.redisUri();
    if (redis == null && gateway.rateLimits().redis() != null) {
      redis = gateway.rateLimits().redis().uri();
    }
    return open(keys, redis, Clock.systemUTC(), null);
  }

  /**
   * @param redisUri revocations' Redis, or null for local-only revocation
   * @param schema the database schema to use (created when missing), or null for the default
   */
  public static ApiKeyService open(
      ApiKeysConfig keys, Secret redisUri, Clock clock, String schema) {
    if (keys.pepper() == null) {
      throw new IllegalStateException(PEPPER_HELP);
    }
    CredentialStore store = CredentialStore.open(keys.store(), schema);
    try {
      return new ApiKeyService(keys, store, clock, redisUri == null ? null : redisUri.reveal());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  // ---- validation ----

  @Override
  public CompletionStage<AuthVerdict> verify(String presentedKey, InetAddress client) {
    ParsedApiKey parsed = ApiKeyFormat.parse(presentedKey);
    if (parsed == null) {
      return ApiKeyFormat.hasKeyShape(presentedKey) ? Refusals.CHECKSUM : Refusals.MALFORMED;
    }
    Digest digest = new Digest(hasher.hash(parsed.clearText()));
    CachedKey hit = cache.getIfPresent(digest);
    if (hit != null) {
      return hit.verdict(client, clock.millis(), lastUsed);
    }
    if (closed) {
      return Refusals.unavailable("the key service is closed");
    }
    try {
      return CompletableFuture.supplyAsync(
              () -> lookUp(parsed.type(), parsed.keyId(), digest), jdbc)
          .thenApply(
              found ->
                  found == null
                      ? new AuthVerdict.Unavailable("credential store unreachable")
                      : verdictOf(found, client));
    } catch (RejectedExecutionException e) {
      return Refusals.unavailable("credential store busy");
    }
  }

  private AuthVerdict verdictOf(CachedKey found, InetAddress client) {
    // Completed stage of a cache entry: join() does not block.
    return found.verdict(client, clock.millis(), lastUsed).toCompletableFuture().join();
  }

  /** The cache entry for this key, from the store; null when the store cannot be read. */
  private CachedKey lookUp(ApiKeyType type, String keyId, Digest digest) {
    String hash = HEX.formatHex(digest.bytes);
    long started = System.nanoTime();
    Optional<ApiKeyRecord> found;
    try {
      found = keyId == null ? store.findByHash(hash) : store.find(keyId);
    } catch (Exception e) {
      log.warn("credential store lookup failed: {}", e.toString());
      return null;
    }
    CachedKey entry = entryFor(type, keyId, digest, found.orElse(null));
    Long changed = entry.keyId() == null ? null : changedAt.get(entry.keyId());
    if (changed == null || changed - started < 0) {
      cache.put(digest, entry);
    }
    return entry;
  }

  private CachedKey entryFor(ApiKeyType type, String keyId, Digest digest, ApiKeyRecord r) {
    String hash = HEX.formatHex(digest.bytes);
    if (r == null) {
      return CachedKey.refused(AuthFailure.UNKNOWN_KEY, keyId, null);
    }
    long now = clock.millis();
    long validUntil = r.expires() == null ? Long.MAX_VALUE : r.expires().toEpochMilli();
    boolean current = constantTimeEquals(hash, r.hash());
    boolean previous =
        !current
            && r.previousHash() != null
            && constantTimeEquals(hash, r.previousHash())
            && r.previousValidUntil() != null;
    if (previous) {
      validUntil = Math.min(validUntil, r.previousValidUntil().toEpochMilli());
    }
    if ((!current && !previous) || !r.type().equals(type.configName())) {
      return CachedKey.refused(AuthFailure.BAD_SECRET, r.id(), r.subject());
    }
    if (r.revokedAt() != null) {
      return CachedKey.refused(AuthFailure.REVOKED, r.id(), r.subject());
    }
    if (now >= validUntil) {
      return CachedKey.refused(AuthFailure.EXPIRED, r.id(), r.subject());
    }
    Principal principal =
        new Principal(
            r.subject(),
            r.tenant(),
            AUTH_METHOD,
            new LinkedHashSet<>(r.scopes()),
            r.id(),
            r.type(),
            null,
            r.rateLimit());
    return CachedKey.valid(
        type, digest, principal, validUntil, now + refreshAfterMillis, r.allowedCidrs());
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  /** Drops every cached entry of the key here (both secrets of a rotated key, and refusals). */
  void invalidateLocally(String keyId) {
    changedAt.put(keyId, System.nanoTime());
    cache.asMap().values().removeIf(entry -> keyId.equals(entry.keyId()));
  }

  private void invalidateEverywhere(String keyId) {
    invalidateLocally(keyId);
    if (bus != null) {
      bus.publish(keyId);
    }
  }

  private void flushLastUsed() {
    long horizon = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
    changedAt.values().removeIf(at -> at - horizon < 0);
    List<CachedKey> used = lastUsed.drain();
    try {
      Set<String> ids = new LinkedHashSet<>();
      for (CachedKey entry : used) {
        ids.add(entry.keyId());
      }
      if (!ids.isEmpty()) {
        store.touch(new ArrayList<>(ids), clock.instant());
      }
    } catch (Exception e) {
      // Not worth more: the next use of each key queues it again.
      log.warn("writing last_used failed: {}", e.toString());
    }
    refreshAhead(used);
  }

  /**
   * Reads keys in use again from the store once four fifths of their valid TTL have passed, here on
   * the flusher rather than on a request: without it, every validTtl the first request of each
   * active key waited for a store round trip, on a branch the event loop had not taken for minutes,
   * and the request path's compiled code was thrown away with it (bench/README.md, "December 7,
   * fifth VM"). An entry never answers for longer than validTtl either way; a revocation the
   * refresh finds takes effect sooner.
   */
  private void refreshAhead(List<CachedKey> used) {
    long now = clock.millis();
    for (CachedKey entry : used) {
      if (closed) {
        return;
      }
      if (entry.refreshDue(now)
          && cache.asMap().get(entry.digest()) == entry
          && lookUp(entry.type(), entry.keyId(), entry.digest()) == null) {
        entry.refreshFailed(now + REFRESH_RETRY_MILLIS);
      }
    }
  }

  // ---- management ----

  /** Issues a key; the result holds the clear key, shown once. */
  public CompletionStage<IssuedApiKey> create(NewApiKey request) {
    return async(
        () -> {
          Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
          Instant expires;
          if (request.neverExpires()) {
            expires = null;
          } else if (request.expires() != null) {
            if (!request.expires().isAfter(now)) {
              throw new InvalidKeyRequest(
                  "expires", "'" + request.expires() + "' (expected: a time in the future)");
            }
            expires = request.expires();
          } else {
            Duration lifetime = config.expiry().forType(request.type().configName());
            expires = lifetime == null ? null : now.plus(lifetime);
          }
          ParsedApiKey key = ApiKeyFormat.generate(request.type(), random);
          ApiKeyRecord record =
              new ApiKeyRecord(
                  key.keyId(),
                  HEX.formatHex(hasher.hash(key.clearText())),
                  request.subject(),
                  request.tenant(),
                  request.type().configName(),
                  request.scopes(),
                  now,
                  expires,
                  null,
                  request.allowedIps(),
                  request.rateLimit(),
                  null,
                  null,
                  null);
          store.insert(record);
          return new IssuedApiKey(key.clearText(), ApiKeyInfo.of(record));
        });
  }

  /** Keys filtered by subject and tenant (null for any); never a secret or a hash. */
  public CompletionStage<List<ApiKeyInfo>> list(String subject, String tenant) {
    return async(() -> store.list(subject, tenant).stream().map(ApiKeyInfo::of).toList());
  }

  public CompletionStage<Optional<ApiKeyInfo>> get(String id) {
    return async(() -> store.find(id).map(ApiKeyInfo::of));
  }

  /** Revokes the key here at once and on the other replicas within a second (with Redis). */
  public CompletionStage<Optional<ApiKeyInfo>> revoke(String id) {
    return async(
        () -> {
          Optional<ApiKeyRecord> revoked = store.revoke(id, clock.instant());
          revoked.ifPresent(r -> invalidateEverywhere(r.id()));
          return revoked.map(ApiKeyInfo::of);
        });
  }

  /**
   * A new secret for the key; the old one stays valid for {@code rotation_grace}.
   *
   * @return the new key, or empty when there is no such key or it is revoked
   */
  public CompletionStage<Optional<IssuedApiKey>> rotate(String id) {
    return async(
        () -> {
          Optional<ApiKeyRecord> existing = store.find(id);
          if (existing.isEmpty() || existing.get().revokedAt() != null) {
            return Optional.empty();
          }
          ApiKeyType type = typeOf(existing.get().type());
          if (type == ApiKeyType.LEGACY) {
            throw new InvalidKeyRequest(
                "id", "'" + id + "' is a legacy key (expected: a key that can be rotated)");
          }
          String clear = ApiKeyFormat.withNewSecret(type, id, random);
          Instant graceEnd = clock.instant().plus(config.rotationGrace());
          Optional<ApiKeyRecord> rotated =
              store.rotate(id, HEX.formatHex(hasher.hash(clear)), graceEnd);
          rotated.ifPresent(r -> invalidateEverywhere(r.id()));
          return rotated.map(r -> new IssuedApiKey(clear, ApiKeyInfo.of(r)));
        });
  }

  /** The current time on the service's clock (for status in listings). */
  public Instant now() {
    return clock.instant();
  }

  private static ApiKeyType typeOf(String configName) {
    for (ApiKeyType type : ApiKeyType.values()) {
      if (type.configName().equals(configName)) {
        return type;
      }
    }
    return ApiKeyType.LEGACY;
  }

  /** Stores a legacy key (32 lowercase hex characters) under a generated id, for migrations. */
  public CompletionStage<ApiKeyInfo> importLegacy(
      String legacyKey, String subject, String tenant, List<String> scopes) {
    ParsedApiKey parsed = ApiKeyFormat.parse(legacyKey);
    if (parsed == null || parsed.type() != ApiKeyType.LEGACY) {
      return CompletableFuture.failedFuture(
          new InvalidKeyRequest("key", "(expected: 32 lowercase hex characters)"));
    }
    return async(
        () -> {
          byte[] id = new byte[9];
          random.nextBytes(id);
          ApiKeyRecord record =
              new ApiKeyRecord(
                  "legacy-" + HEX.formatHex(id),
                  HEX.formatHex(hasher.hash(legacyKey)),
                  subject,
                  tenant,
                  ApiKeyType.LEGACY.configName(),
                  scopes,
                  clock.instant(),
                  null,
                  null,
                  List.of(),
                  null,
                  null,
                  null,
                  null);
          store.insert(record);
          return ApiKeyInfo.of(record);
        });
  }

  private interface Work<T> {
    T run() throws Exception;
  }

  private <T> CompletionStage<T> async(Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      jdbc.execute(
          () -> {
            try {
              result.complete(work.run());
            } catch (Throwable e) {
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new IllegalStateException("credential store busy or closed"));
    }
    return result;
  }

  /** Writes pending {@code last_used} times, stops the threads and closes the pool. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (bus != null) {
      bus.close();
    }
    flusher.shutdown();
    try {
      flusher.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushLastUsed();
    jdbc.shutdown();
    try {
      jdbc.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Valid entries live the valid TTL, refusals the invalid TTL. */
  private record TtlByVerdict(Duration valid, Duration invalid)
      implements Expiry<Digest, CachedKey> {
    @Override
    public long expireAfterCreate(Digest key, CachedKey value, long now) {
      return value.isValid() ? valid.toNanos() : invalid.toNanos();
    }

    @Override
    public long expireAfterUpdate(Digest key, CachedKey value, long now, long current) {
      return expireAfterCreate(key, value, now);
    }

    @Override
    public long expireAfterRead(Digest key, CachedKey value, long now, long current) {
      return current;
    }
  }
}
