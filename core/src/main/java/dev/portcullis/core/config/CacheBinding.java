package dev.portcullis.core.config;

import static dev.portcullis.core.config.ConfigSchema.LEAF_NODE;
import static dev.portcullis.core.config.ConfigSchema.listOf;
import static dev.portcullis.core.config.ConfigSchema.object;
import static dev.portcullis.core.config.ConfigSchema.scalarList;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads {@link CacheConfig} from its YAML section, reporting problems through the binder. */
final class CacheBinding {
  static final ConfigSchema SCHEMA =
      object(
          "max_bytes",
          LEAF_NODE,
          "coalesce_wait",
          LEAF_NODE,
          "redis",
          object(
              "uri", LEAF_NODE,
              "l2", LEAF_NODE,
              "compression", LEAF_NODE,
              "timeout", LEAF_NODE),
          "policies",
          listOf(
              object(
                  "name", LEAF_NODE,
                  "route", LEAF_NODE,
                  "paths", scalarList(),
                  "methods", scalarList(),
                  "ttl", LEAF_NODE,
                  "override_upstream_cache_control", LEAF_NODE,
                  "share", LEAF_NODE,
                  "max_entry_bytes", LEAF_NODE,
                  "stale_while_revalidate", LEAF_NODE,
                  "stale_if_error", LEAF_NODE,
                  "invalidate_parents", LEAF_NODE)));

  private CacheBinding() {}

  static CacheConfig bind(ConfigBinder binder, JsonNode node, List<RouteConfig> routes) {
    CacheConfig d = CacheConfig.DEFAULTS;
    long maxBytes = binder.size(node, "cache.max_bytes", "max_bytes", (int) d.maxBytes());
    Duration wait =
        binder.duration(node, "cache.coalesce_wait", "coalesce_wait", d.coalesceWait(), false);
    CacheConfig.Redis redis = redis(binder, node.get("redis"));
    Set<String> routeNames = new HashSet<>();
    routes.forEach(r -> routeNames.add(r.name()));
    List<CacheConfig.Policy> policies = new ArrayList<>();
    JsonNode list = node.get("policies");
    if (list == null || list.isNull()) {
      policies.addAll(CacheConfig.shippedFor(routes).policies());
    } else if (!list.isArray()) {
      binder.problems.add(
          "cache.policies", ConfigBinder.kindOf(list) + " (expected: a list of policies)");
    } else {
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String at = "cache.policies[" + i + "]";
        CacheConfig.Policy policy = policy(binder, list.get(i), at, routeNames);
        if (policy != null && !names.add(policy.name())) {
          binder.problems.add(
              at + ".name",
              "'" + policy.name() + "' is used by an earlier policy (expected: unique names)");
        } else if (policy != null) {
          policies.add(policy);
        }
      }
    }
    CacheConfig built =
        binder.build("cache", () -> new CacheConfig(maxBytes, wait, redis, policies));
    return built == null ? d : built;
  }

  private static CacheConfig.Policy policy(
      ConfigBinder binder, JsonNode p, String at, Set<String> routeNames) {
    if (!p.isObject()) {
      binder.problems.add(
          at, ConfigBinder.kindOf(p) + " (expected: a mapping with name, route and ttl)");
      return null;
    }
    int before = binder.problems.count();
    String name = binder.required(p, at, "name");
    String route = binder.required(p, at, "route");
    if (route != null && !routeNames.contains(route)) {
      binder.problems.add(
          at + ".route", "'" + route + "' (expected: one of the routes " + routeNames + ")");
    }
    List<String> paths = binder.strings(p, at + ".paths", "paths");
    for (int i = 0; i < paths.size(); i++) {
      if (!paths.get(i).startsWith("/")) {
        binder.problems.add(
            at + ".paths[" + i + "]",
            "'" + paths.get(i) + "' (expected: a path pattern such as /rest/api/3/field)");
      }
    }
    List<String> methodList = binder.strings(p, at + ".methods", "methods");
    Set<String> methods =
        methodList.isEmpty() ? Set.of("GET", "HEAD") : new LinkedHashSet<>(methodList);
    for (String method : methods) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        binder.problems.add(at + ".methods", "'" + method + "' (expected: GET or HEAD)");
      }
    }
    Duration ttl = binder.duration(p, at + ".ttl", "ttl", CacheConfig.Policy.DEFAULT_TTL, false);
    boolean override =
        binder.bool(
            p, at + ".override_upstream_cache_control", "override_upstream_cache_control", false);
    CacheConfig.Share share = CacheConfig.Share.PRINCIPAL;
    String shareText = binder.string(p, at + ".share", "share", null);
    if (shareText != null) {
      share = null;
      for (CacheConfig.Share candidate : CacheConfig.Share.values()) {
        if (candidate.yamlName().equals(shareText)) {
          share = candidate;
        }
      }
      if (share == null) {
        binder.problems.add(at + ".share", "'" + shareText + "' (expected: principal or tenant)");
      }
    }
    int maxEntry =
        binder.size(
            p,
            at + ".max_entry_bytes",
            "max_entry_bytes",
            CacheConfig.Policy.DEFAULT_MAX_ENTRY_BYTES);
    Duration swr =
        binder.duration(
            p,
            at + ".stale_while_revalidate",
            "stale_while_revalidate",
            CacheConfig.Policy.DEFAULT_STALE_WHILE_REVALIDATE,
            true);
    Duration sie =
        binder.duration(
            p,
            at + ".stale_if_error",
            "stale_if_error",
            CacheConfig.Policy.DEFAULT_STALE_IF_ERROR,
            true);
    int parents =
        binder.integer(
            p,
            at + ".invalidate_parents",
            "invalidate_parents",
            CacheConfig.Policy.DEFAULT_INVALIDATE_PARENTS,
            0,
            16);
    if (binder.problems.count() > before) {
      return null;
    }
    CacheConfig.Share fShare = share;
    return binder.build(
        at,
        () ->
            new CacheConfig.Policy(
                name, route, paths, methods, ttl, override, fShare, maxEntry, swr, sie, parents));
  }

  private static CacheConfig.Redis redis(ConfigBinder binder, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    String at = "cache.redis";
    if (!node.isObject()) {
      // A URI written one level too high may carry a password: describe it, don't echo it.
      binder.problems.add(
          at,
          (node.isValueNode() ? "a single value" : ConfigBinder.kindOf(node))
              + " (expected: a mapping with uri)");
      return null;
    }
    Secret uri = null;
    if (!node.hasNonNull("uri")) {
      binder.problems.add(at + ".uri", "missing (expected: redis://host:port or rediss://...)");
    } else {
      uri = binder.secret(at + ".uri", node.get("uri"));
      if (uri != null && !uri.reveal().matches("(?s)(redis|rediss|redis-sentinel)://.+")) {
        binder.problems.add(
            at + ".uri", "not a Redis URI (expected: redis://host:port or rediss://...)");
        uri = null;
      }
    }
    boolean l2 = binder.bool(node, at + ".l2", "l2", true);
    boolean compression = binder.bool(node, at + ".compression", "compression", true);
    Duration timeout =
        binder.duration(node, at + ".timeout", "timeout", CacheConfig.Redis.DEFAULT_TIMEOUT, false);
    if (uri == null) {
      return null;
    }
    Secret fUri = uri;
    return binder.build(at, () -> new CacheConfig.Redis(fUri, l2, compression, timeout));
  }
}
