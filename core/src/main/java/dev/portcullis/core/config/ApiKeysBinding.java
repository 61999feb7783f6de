package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** Reads {@link ApiKeysConfig} from its YAML section, reporting problems through the binder. */
final class ApiKeysBinding {
  private static final String AT = "auth.api_keys";

  static final ConfigSchema SCHEMA =
      ConfigSchema.object(
          "store",
          ConfigSchema.object(
              "url", ConfigSchema.LEAF_NODE,
              "username", ConfigSchema.LEAF_NODE,
              "password", ConfigSchema.LEAF_NODE,
              "pool_size", ConfigSchema.LEAF_NODE),
          "pepper",
          ConfigSchema.LEAF_NODE,
          "cache",
          ConfigSchema.object(
              "valid_ttl", ConfigSchema.LEAF_NODE,
              "invalid_ttl", ConfigSchema.LEAF_NODE,
              "max_entries", ConfigSchema.LEAF_NODE),
          "rotation_grace",
          ConfigSchema.LEAF_NODE,
          "expiry",
          ConfigSchema.object(
              "user", ConfigSchema.LEAF_NODE,
              "service", ConfigSchema.LEAF_NODE,
              "admin", ConfigSchema.LEAF_NODE),
          "last_used_flush",
          ConfigSchema.LEAF_NODE,
          "redis_uri",
          ConfigSchema.LEAF_NODE);

  private ApiKeysBinding() {}

  static ApiKeysConfig bind(ConfigBinder binder, JsonNode node) {
    ApiKeysConfig d = ApiKeysConfig.DEFAULTS;
    int before = binder.problems.count();
    ApiKeysConfig.Store store = store(binder, binder.section(node, "store"));
    Secret pepper =
        node.hasNonNull("pepper") ? binder.secret(AT + ".pepper", node.get("pepper")) : null;
    JsonNode cache = binder.section(node, "cache");
    Duration valid =
        binder.duration(cache, AT + ".cache.valid_ttl", "valid_ttl", d.validTtl(), false);
    Duration invalid =
        binder.duration(cache, AT + ".cache.invalid_ttl", "invalid_ttl", d.invalidTtl(), false);
    int maxEntries =
        binder.integer(
            cache, AT + ".cache.max_entries", "max_entries", d.cacheMaxEntries(), 1, 100_000_000);
    Duration grace =
        binder.duration(node, AT + ".rotation_grace", "rotation_grace", d.rotationGrace(), true);
    JsonNode expiryNode = binder.section(node, "expiry");
    ApiKeysConfig.Expiry de = d.expiry();
    Duration user = lifetime(binder, expiryNode, "user", de.user());
    Duration service = lifetime(binder, expiryNode, "service", de.service());
    Duration admin = lifetime(binder, expiryNode, "admin", de.admin());
    Duration flush =
        binder.duration(node, AT + ".last_used_flush", "last_used_flush", d.lastUsedFlush(), false);
    Secret redis = null;
    if (node.hasNonNull("redis_uri")) {
      redis = binder.secret(AT + ".redis_uri", node.get("redis_uri"));
      if (redis != null && !redis.reveal().matches("(?s)(redis|rediss|redis-sentinel)://.+")) {
        binder.problems.add(
            AT + ".redis_uri", "not a Redis URI (expected: redis://host:port or rediss://...)");
      }
    }
    if (binder.problems.count() > before || store == null) {
      return d;
    }
    Secret fRedis = redis;
    ApiKeysConfig built =
        binder.build(
            "",
            () ->
                new ApiKeysConfig(
                    store,
                    pepper,
                    valid,
                    invalid,
                    maxEntries,
                    grace,
                    new ApiKeysConfig.Expiry(user, service, admin),
                    flush,
                    fRedis));
    return built == null ? d : built;
  }

  private static ApiKeysConfig.Store store(ConfigBinder binder, JsonNode node) {
    ApiKeysConfig.Store d = ApiKeysConfig.DEFAULT_STORE;
    String url = binder.string(node, AT + ".store.url", "url", d.url());
    String username = binder.string(node, AT + ".store.username", "username", d.username());
    Secret password =
        node.hasNonNull("password")
            ? binder.secret(AT + ".store.password", node.get("password"))
            : null;
    int pool = binder.integer(node, AT + ".store.pool_size", "pool_size", d.poolSize(), 1, 64);
    if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
      binder.problems.add(
          AT + ".store.url",
          "'" + url + "' (expected: jdbc:h2:... or jdbc:postgresql://host:port/database)");
      return null;
    }
    // The records' own messages carry the full key, so no path prefix is added.
    return binder.build("", () -> new ApiKeysConfig.Store(url, username, password, pool));
  }

  /** A lifetime, or {@code never} for keys that do not expire. */
  private static Duration lifetime(
      ConfigBinder binder, JsonNode node, String type, Duration fallback) {
    String path = AT + ".expiry." + type;
    String text = binder.string(node, path, type, null);
    if (text == null) {
      return fallback;
    }
    if (text.trim().equals("never")) {
      return null;
    }
    return binder.duration(node, path, type, fallback, false);
  }
}
