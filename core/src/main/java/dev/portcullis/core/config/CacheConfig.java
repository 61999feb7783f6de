package dev.portcullis.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The response cache (YAML {@code cache}): off for a route unless a policy names it.
 *
 * @param maxBytes what the in-memory (L1) entries may weigh in total: bodies, headers and keys
 * @param coalesceWait how long a request waits for an identical request already on its way upstream
 *     before sending its own
 * @param redis the shared L2 and the invalidation channel between replicas; null for none
 * @param policies which routes and paths are cached, and how
 */
public record CacheConfig(
    long maxBytes, Duration coalesceWait, Redis redis, List<Policy> policies) {
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_COALESCE_WAIT = Duration.ofSeconds(5);

  public static final CacheConfig DEFAULTS =
      new CacheConfig(DEFAULT_MAX_BYTES, DEFAULT_COALESCE_WAIT, null, List.of());

  public CacheConfig {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("cache.max_bytes: " + maxBytes + " (expected: > 0)");
    }
    Checks.positive("cache.coalesce_wait", coalesceWait);
    policies = List.copyOf(policies);
  }

  /** The defaults with the shipped policies whose routes are among {@code routes}. */
  public static CacheConfig shippedFor(List<RouteConfig> routes) {
    java.util.Set<String> names = new java.util.HashSet<>();
    routes.forEach(r -> names.add(r.name()));
    return new CacheConfig(
        DEFAULT_MAX_BYTES,
        DEFAULT_COALESCE_WAIT,
        null,
        atlassianDefaults().stream().filter(p -> names.contains(p.route())).toList());
  }

  /** Whether any route is cached at all. */
  public boolean enabled() {
    return !policies.isEmpty();
  }

  /** Whose requests may share an entry. */
  public enum Share {
    /** One entry per principal (the default; anonymous requests share the anonymous entry). */
    PRINCIPAL,
    /** One entry per tenant and permission set: for responses that depend on nothing else. */
    TENANT;

    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param name shown in metrics and logs
   * @param route the route whose responses it caches
   * @param paths path patterns within the route; empty for all of it
   * @param methods GET and/or HEAD
   * @param ttl freshness when the upstream gives none (or always, with {@code
   *     overrideUpstreamCacheControl})
   * @param overrideUpstreamCacheControl ignore the upstream's Cache-Control and Expires (Jira and
   *     Confluence send {@code no-cache, no-store} on most REST responses); entries stay keyed per
   *     principal or tenant, and a Set-Cookie response is still never stored
   * @param maxEntryBytes responses with larger bodies stream through uncached
   * @param staleWhileRevalidate how long past freshness other requests get the stale entry while
   *     one request revalidates it
   * @param staleIfError how long past freshness the stale entry answers when the upstream fails
   * @param invalidateParents how many parent paths a successful write also drops (exactly, not
   *     their sub-resources)
   */
  public record Policy(
      String name,
      String route,
      List<String> paths,
      Set<String> methods,
      Duration ttl,
      boolean overrideUpstreamCacheControl,
      Share share,
      int maxEntryBytes,
      Duration staleWhileRevalidate,
      Duration staleIfError,
      int invalidateParents) {
    public static final int DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_STALE_IF_ERROR = Duration.ofMinutes(5);
    public static final Duration DEFAULT_STALE_WHILE_REVALIDATE = Duration.ofSeconds(10);
    public static final int DEFAULT_INVALIDATE_PARENTS = 1;

    public Policy {
      Checks.notBlank("cache.policies[].name", name);
      String at = "cache.policies." + name;
      Checks.notBlank(at + ".route", route);
      paths = List.copyOf(paths);
      for (String path : paths) {
        if (path == null || !path.startsWith("/")) {
          throw new IllegalArgumentException(
              at + ".paths: '" + path + "' (expected: a path pattern starting with /)");
        }
      }
      methods = Set.copyOf(methods);
      if (methods.isEmpty() || !Set.of("GET", "HEAD").containsAll(methods)) {
        throw new IllegalArgumentException(
            at + ".methods: " + methods + " (expected: GET and/or HEAD)");
      }
      Checks.positive(at + ".ttl", ttl);
      Checks.notNull(at + ".share", share);
      Checks.positive(at + ".max_entry_bytes", maxEntryBytes);
      Checks.notNegative(at + ".stale_while_revalidate", staleWhileRevalidate);
      Checks.notNegative(at + ".stale_if_error", staleIfError);
      if (invalidateParents < 0 || invalidateParents > 16) {
        throw new IllegalArgumentException(
            at + ".invalidate_parents: " + invalidateParents + " (expected: 0..16)");
      }
    }
  }

  /**
   * @param uri the Redis server; may carry a password, so it is a secret
   * @param l2 whether entries are also stored in Redis for the other replicas (invalidations are
   *     published either way)
   * @param compression whether bodies are deflated in Redis
   * @param timeout how long an L2 read may take before the request goes upstream instead
   */
  public record Redis(Secret uri, boolean l2, boolean compression, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);

    public Redis {
      Checks.notNull("cache.redis.uri", uri);
      Checks.positive("cache.redis.timeout", timeout);
    }
  }

  /**
   * The built-in policies for Atlassian's read-heavy, rarely changing endpoints, applied when the
   * configuration has no {@code cache.policies} and its routes include the named ones: short TTLs,
   * the upstream's {@code no-store} overridden, keyed per principal.
   */
  public static List<Policy> atlassianDefaults() {
    return List.of(
        shipped("jira-fields", "jira-rest", "/rest/api/3/field", 60),
        shipped("jira-projects", "jira-rest", "/rest/api/3/project", 30),
        shipped("jira-issue-types", "jira-rest", "/rest/api/3/issuetype", 60),
        shipped("confluence-spaces", "confluence", "/wiki/rest/api/space", 30));
  }

  private static Policy shipped(String name, String route, String path, int ttlSeconds) {
    return new Policy(
        name,
        route,
        List.of(path),
        Set.of("GET", "HEAD"),
        Duration.ofSeconds(ttlSeconds),
        true,
        Share.PRINCIPAL,
        Policy.DEFAULT_MAX_ENTRY_BYTES,
        Policy.DEFAULT_STALE_WHILE_REVALIDATE,
        Policy.DEFAULT_STALE_IF_ERROR,
        Policy.DEFAULT_INVALIDATE_PARENTS);
  }
}
