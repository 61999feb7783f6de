package dev.portcullis.core.config;

import java.time.Duration;
import java.util.List;

/**
 * One routing rule, as written in YAML. Routes are tried in the order they are listed; the first
 * that matches wins.
 *
 * @param path a path pattern: {@code /rest/api/**} (any suffix), {@code /rest/api/3/issue/*} (one
 *     segment), or an exact path; exactly one of {@code path} and {@code pathPrefix} is set
 * @param pathPrefix a plain prefix, matched on segment boundaries ({@code /wiki} matches {@code
 *     /wiki} and {@code /wiki/x}, not {@code /wikipedia})
 * @param host optional Host to match (case-insensitive, port ignored); null matches any
 * @param methods optional upper-case methods; empty matches any
 * @param stripPrefix removed from the start of the path before it is sent upstream; null for none
 * @param addPrefix put in front of the (stripped) path before it is sent upstream; null for none
 * @param responseTimeout overrides the upstream's response timeout; null to inherit it
 * @param accessLog whether this route's requests are written to the access log (metrics count them
 *     either way); off for noisy health checks or paths whose mere access is sensitive
 * @param auth the credentials the route accepts and whether anonymous requests pass
 * @param edge the route's own body limit, request timeout and client networks
 */
public record RouteConfig(
    String name,
    String path,
    String pathPrefix,
    String host,
    List<String> methods,
    String upstream,
    String stripPrefix,
    String addPrefix,
    Duration responseTimeout,
    boolean accessLog,
    RouteAuth auth,
    RouteEdgePolicy edge) {

  public RouteConfig {
    Checks.notBlank("routes[].name", name);
    String at = "routes." + name;
    Checks.notNull(at + ".auth", auth);
    if ((path == null) == (pathPrefix == null)) {
      throw new IllegalArgumentException(
          at + ".match: (expected: exactly one of path and path_prefix)");
    }
    methods = methods == null ? List.of() : List.copyOf(methods);
    Checks.notBlank(at + ".upstream", upstream);
    if (responseTimeout != null) {
      Checks.positive(at + ".response_timeout", responseTimeout);
    }
    Checks.notNull(at + ".limits", edge);
  }

  /** A route that requires authentication, with the listener's edge limits and networks. */
  public RouteConfig(
      String name,
      String path,
      String pathPrefix,
      String host,
      List<String> methods,
      String upstream,
      String stripPrefix,
      String addPrefix,
      Duration responseTimeout,
      boolean accessLog) {
    this(
        name,
        path,
        pathPrefix,
        host,
        methods,
        upstream,
        stripPrefix,
        addPrefix,
        responseTimeout,
        accessLog,
        RouteAuth.REQUIRED,
        RouteEdgePolicy.INHERIT);
  }

  /** A route whose requests are access-logged. */
  public RouteConfig(
      String name,
      String path,
      String pathPrefix,
      String host,
      List<String> methods,
      String upstream,
      String stripPrefix,
      String addPrefix,
      Duration responseTimeout) {
    this(
        name,
        path,
        pathPrefix,
        host,
        methods,
        upstream,
        stripPrefix,
        addPrefix,
        responseTimeout,
        true);
  }

  /** The same route with the access log switched on or off. */
  public RouteConfig withAccessLog(boolean on) {
    return new RouteConfig(
        name,
        path,
        pathPrefix,
        host,
        methods,
        upstream,
        stripPrefix,
        addPrefix,
        responseTimeout,
        on,
        auth,
        edge);
  }

  /** The same route with other authentication requirements. */
  public RouteConfig withAuth(RouteAuth newAuth) {
    return new RouteConfig(
        name,
        path,
        pathPrefix,
        host,
        methods,
        upstream,
        stripPrefix,
        addPrefix,
        responseTimeout,
        accessLog,
        newAuth,
        edge);
  }

  /** The same route with its own edge limits and client networks. */
  public RouteConfig withEdge(RouteEdgePolicy policy) {
    return new RouteConfig(
        name,
        path,
        pathPrefix,
        host,
        methods,
        upstream,
        stripPrefix,
        addPrefix,
        responseTimeout,
        accessLog,
        auth,
        policy);
  }

  /** A route on a glob path to an upstream, with no rewrite and inherited timeouts. */
  public static RouteConfig glob(String name, String path, String upstream) {
    return new RouteConfig(name, path, null, null, List.of(), upstream, null, null, null);
  }
}
