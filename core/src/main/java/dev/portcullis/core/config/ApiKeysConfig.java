package dev.portcullis.core.config;

import java.time.Duration;

/**
 * API keys and the credential store (YAML {@code auth.api_keys}).
 *
 * @param store where keys are kept
 * @param pepper the HMAC key keys are hashed under; null when not configured (the gateway then
 *     refuses to open the store, except in demo mode, which generates one in memory)
 * @param validTtl how long a valid key is answered from the cache; a key still in use is read again
 *     from the store in the background once four fifths of it have passed
 * @param invalidTtl how long a refused key is answered from the cache
 * @param cacheMaxEntries the validation cache's size bound
 * @param rotationGrace how long a rotated key's old secret stays valid
 * @param expiry the default lifetime of a new key by type
 * @param lastUsedFlush how often the batched {@code last_used} updates are written
 * @param redisUri the Redis whose pub/sub carries revocations to the other replicas; null to fall
 *     back to {@code rate_limits.redis.uri}, and to local-only revocation when neither is set
 */
public record ApiKeysConfig(
    Store store,
    Secret pepper,
    Duration validTtl,
    Duration invalidTtl,
    int cacheMaxEntries,
    Duration rotationGrace,
    Expiry expiry,
    Duration lastUsedFlush,
    Secret redisUri) {

  public static final String DEFAULT_URL = "jdbc:h2:file:./data/portcullis";
  public static final Store DEFAULT_STORE = new Store(DEFAULT_URL, "sa", null, 4);
  public static final Expiry DEFAULT_EXPIRY =
      new Expiry(Duration.ofDays(365), null, Duration.ofDays(90));

  public static final ApiKeysConfig DEFAULTS =
      new ApiKeysConfig(
          DEFAULT_STORE,
          null,
          Duration.ofMinutes(5),
          Duration.ofMinutes(1),
          100_000,
          Duration.ofHours(24),
          DEFAULT_EXPIRY,
          Duration.ofSeconds(5),
          null);

  public ApiKeysConfig {
    Checks.notNull("auth.api_keys.store", store);
    Checks.positive("auth.api_keys.cache.valid_ttl", validTtl);
    Checks.positive("auth.api_keys.cache.invalid_ttl", invalidTtl);
    Checks.positive("auth.api_keys.cache.max_entries", cacheMaxEntries);
    Checks.notNegative("auth.api_keys.rotation_grace", rotationGrace);
    Checks.notNull("auth.api_keys.expiry", expiry);
    Checks.positive("auth.api_keys.last_used_flush", lastUsedFlush);
    if (pepper != null && pepper.reveal().length() < 32) {
      // The value is not echoed: it is a secret.
      throw new IllegalArgumentException(
          "auth.api_keys.pepper: too short (expected: at least 32 characters of random text)");
    }
  }

  /** The same settings with another store (tests, the demo's in-memory database). */
  public ApiKeysConfig withStore(Store other) {
    return new ApiKeysConfig(
        other,
        pepper,
        validTtl,
        invalidTtl,
        cacheMaxEntries,
        rotationGrace,
        expiry,
        lastUsedFlush,
        redisUri);
  }

  /** The same settings with another pepper. */
  public ApiKeysConfig withPepper(Secret other) {
    return new ApiKeysConfig(
        store,
        other,
        validTtl,
        invalidTtl,
        cacheMaxEntries,
        rotationGrace,
        expiry,
        lastUsedFlush,
        redisUri);
  }

  /** The same settings with another Redis for revocations. */
  public ApiKeysConfig withRedisUri(Secret other) {
    return new ApiKeysConfig(
        store,
        pepper,
        validTtl,
        invalidTtl,
        cacheMaxEntries,
        rotationGrace,
        expiry,
        lastUsedFlush,
        other);
  }

  /**
   * The credential store's JDBC connection.
   *
   * @param url {@code jdbc:h2:...} or {@code jdbc:postgresql:...}
   * @param password null for none
   * @param poolSize the most connections held (also the number of JDBC worker threads)
   */
  public record Store(String url, String username, Secret password, int poolSize) {
    public Store {
      Checks.notBlank("auth.api_keys.store.url", url);
      if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "auth.api_keys.store.url: '"
                + url
                + "' (expected: jdbc:h2:... or jdbc:postgresql://host:port/database)");
      }
      if (poolSize < 1 || poolSize > 64) {
        throw new IllegalArgumentException(
            "auth.api_keys.store.pool_size: " + poolSize + " (expected: 1..64)");
      }
    }

    public boolean isPostgres() {
      return url.startsWith("jdbc:postgresql:");
    }
  }

  /** Default lifetimes of new keys by type; null means the key never expires. */
  public record Expiry(Duration user, Duration service, Duration admin) {
    public Expiry {
      positiveOrNever("auth.api_keys.expiry.user", user);
      positiveOrNever("auth.api_keys.expiry.service", service);
      positiveOrNever("auth.api_keys.expiry.admin", admin);
    }

    /** The lifetime for a key type's config name ({@code user}, {@code service}, ...). */
    public Duration forType(String type) {
      return switch (type) {
        case "user" -> user;
        case "service" -> service;
        case "admin" -> admin;
        default -> null;
      };
    }

    private static void positiveOrNever(String key, Duration value) {
      if (value != null && (value.isNegative() || value.isZero())) {
        throw new IllegalArgumentException(
            key + ": " + value + " (expected: a duration > 0, or never)");
      }
    }
  }
}
