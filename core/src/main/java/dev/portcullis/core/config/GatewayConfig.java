package dev.portcullis.core.config;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole, validated configuration: one immutable snapshot. A reload (later) swaps a new snapshot
 * in atomically; nothing here is ever mutated.
 */
public record GatewayConfig(
    ServerConfig server,
    AdminConfig admin,
    Map<String, UpstreamConfig> upstreams,
    List<RouteConfig> routes,
    RateLimitsConfig rateLimits,
    AccessLogConfig accessLog,
    AuditLogConfig auditLog,
    AuthConfig auth,
    CacheConfig cache) {

  /** A configuration without rate limits and with the default access log. */
  public GatewayConfig(
      ServerConfig server,
      AdminConfig admin,
      Map<String, UpstreamConfig> upstreams,
      List<RouteConfig> routes) {
    this(server, admin, upstreams, routes, RateLimitsConfig.DEFAULTS);
  }

  /** A configuration with the default access log. */
  public GatewayConfig(
      ServerConfig server,
      AdminConfig admin,
      Map<String, UpstreamConfig> upstreams,
      List<RouteConfig> routes,
      RateLimitsConfig rateLimits) {
    this(server, admin, upstreams, routes, rateLimits, AccessLogConfig.DEFAULTS);
  }

  /** A configuration with the default audit log. */
  public GatewayConfig(
      ServerConfig server,
      AdminConfig admin,
      Map<String, UpstreamConfig> upstreams,
      List<RouteConfig> routes,
      RateLimitsConfig rateLimits,
      AccessLogConfig accessLog) {
    this(server, admin, upstreams, routes, rateLimits, accessLog, AuditLogConfig.DEFAULTS);
  }

  /** A configuration with the default authentication and no response cache. */
  public GatewayConfig(
      ServerConfig server,
      AdminConfig admin,
      Map<String, UpstreamConfig> upstreams,
      List<RouteConfig> routes,
      RateLimitsConfig rateLimits,
      AccessLogConfig accessLog,
      AuditLogConfig auditLog) {
    this(
        server,
        admin,
        upstreams,
        routes,
        rateLimits,
        accessLog,
        auditLog,
        AuthConfig.DEFAULTS,
        CacheConfig.DEFAULTS);
  }

  /** The same configuration with another access log section. */
  public GatewayConfig withAccessLog(AccessLogConfig newAccessLog) {
    return new GatewayConfig(
        server, admin, upstreams, routes, rateLimits, newAccessLog, auditLog, auth, cache);
  }

  /** The same configuration with another audit log section. */
  public GatewayConfig withAuditLog(AuditLogConfig newAuditLog) {
    return new GatewayConfig(
        server, admin, upstreams, routes, rateLimits, accessLog, newAuditLog, auth, cache);
  }

  /** The same configuration with other upstream pools. */
  public GatewayConfig withUpstreams(Map<String, UpstreamConfig> newUpstreams) {
    return new GatewayConfig(
        server, admin, newUpstreams, routes, rateLimits, accessLog, auditLog, auth, cache);
  }

  /** The same configuration with other routes. */
  public GatewayConfig withRoutes(List<RouteConfig> newRoutes) {
    return new GatewayConfig(
        server, admin, upstreams, newRoutes, rateLimits, accessLog, auditLog, auth, cache);
  }

  /** The same configuration with another authentication section. */
  public GatewayConfig withAuth(AuthConfig newAuth) {
    return new GatewayConfig(
        server, admin, upstreams, routes, rateLimits, accessLog, auditLog, newAuth, cache);
  }

  /** The same configuration with another response cache section. */
  public GatewayConfig withCache(CacheConfig newCache) {
    return new GatewayConfig(
        server, admin, upstreams, routes, rateLimits, accessLog, auditLog, auth, newCache);
  }

  public GatewayConfig {
    Checks.notNull("auth", auth);
    Checks.notNull("cache", cache);
    Checks.notNull("rate_limits", rateLimits);
    Checks.notNull("access_log", accessLog);
    Checks.notNull("audit_log", auditLog);
    Checks.notNull("server", server);
    Checks.notNull("admin", admin);
    upstreams = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
    routes = List.copyOf(routes);
    for (RouteConfig route : routes) {
      if (!upstreams.containsKey(route.upstream())) {
        throw new IllegalArgumentException(
            "routes."
                + route.name()
                + ".upstream: "
                + route.upstream()
                + " (expected: one of the configured upstreams "
                + upstreams.keySet()
                + ")");
      }
    }
  }

  /**
   * Atlassian's SDK ports for a local Jira (2990) and Confluence (1990); any real deployment
   * overrides the targets.
   */
  public static Map<String, UpstreamConfig> defaultUpstreams() {
    Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
    upstreams.put(
        "jira", UpstreamConfig.withDefaults("jira", List.of(URI.create("http://127.0.0.1:2990"))));
    upstreams.put(
        "confluence",
        UpstreamConfig.withDefaults("confluence", List.of(URI.create("http://127.0.0.1:1990"))));
    return upstreams;
  }

  /** The built-in Atlassian routes, used when the configuration lists none. */
  public static List<RouteConfig> defaultRoutes() {
    return List.of(
        RouteConfig.glob("jira-rest", "/rest/api/**", "jira"),
        RouteConfig.glob("jira-agile", "/rest/agile/**", "jira"),
        RouteConfig.glob("jira-servicedesk", "/rest/servicedeskapi/**", "jira"),
        RouteConfig.glob("confluence", "/wiki/**", "confluence"));
  }

  /** The built-in configuration, with the shipped cache policies on the built-in routes. */
  public static GatewayConfig defaults() {
    return new GatewayConfig(
            ServerConfig.DEFAULTS, AdminConfig.DEFAULTS, defaultUpstreams(), defaultRoutes())
        .withCache(CacheConfig.shippedFor(defaultRoutes()));
  }
}
