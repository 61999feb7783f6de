package dev.portcullis.core.route;

import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.ResponseFilter;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.Set;

/**
 * A route compiled from its {@link RouteConfig}: the matcher, the path rewrite and the filter
 * arrays, built once when the configuration loads and walked by index per request. Immutable.
 */
public final class Route {
  private final RouteConfig config;
  private final PathPattern pattern;
  private final String host;
  private final Set<HttpMethod> methods;
  private final RequestFilter[] requestFilters;
  private final ResponseFilter[] responseFilters;

  Route(
      RouteConfig config,
      PathPattern pattern,
      RequestFilter[] requestFilters,
      ResponseFilter[] responseFilters) {
    this.config = config;
    this.pattern = pattern;
    this.host = config.host();
    this.methods =
        config.methods().stream()
            .map(HttpMethod::valueOf)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.requestFilters = requestFilters;
    this.responseFilters = responseFilters;
  }

  public String name() {
    return config.name();
  }

  public String upstream() {
    return config.upstream();
  }

  public RouteConfig config() {
    return config;
  }

  /** The route's own response timeout, or null to use the upstream's. */
  public Duration responseTimeout() {
    return config.responseTimeout();
  }

  /**
   * @param hostHeader the request's Host (may carry a port, any case), or null
   */
  public boolean matches(CharSequence hostHeader, HttpMethod method, String path) {
    if (!methods.isEmpty() && !methods.contains(method)) {
      return false;
    }
    if (host != null && !hostMatches(hostHeader)) {
      return false;
    }
    return pattern.matches(path);
  }

  private boolean hostMatches(CharSequence hostHeader) {
    if (hostHeader == null) {
      return false;
    }
    String h = hostHeader.toString();
    int end = h.length();
    if (!h.startsWith("[")) {
      int colon = h.lastIndexOf(':');
      if (colon >= 0) {
        end = colon;
      }
    }
    return end == host.length() && h.regionMatches(true, 0, host, 0, end);
  }

  /** The path to send upstream: the prefix stripped and the added prefix put in front. */
  public String upstreamPath(String path) {
    String strip = config.stripPrefix();
    String add = config.addPrefix();
    if (strip == null && add == null) {
      return path;
    }
    String rest = path;
    if (strip != null && PathPattern.prefix(strip).matches(path)) {
      String s = strip.endsWith("/") ? strip.substring(0, strip.length() - 1) : strip;
      rest = path.substring(s.length());
    }
    if (add != null) {
      String a = add.endsWith("/") ? add.substring(0, add.length() - 1) : add;
      rest = a + rest;
    }
    return rest.isEmpty() ? "/" : rest;
  }

  /** The request filters in chain order. The array is shared: callers must not modify it. */
  public RequestFilter[] requestFilters() {
    return requestFilters;
  }

  /** The response filters in chain order. The array is shared: callers must not modify it. */
  public ResponseFilter[] responseFilters() {
    return responseFilters;
  }

  @Override
  public String toString() {
    return "Route[" + config.name() + " " + pattern + " -> " + config.upstream() + "]";
  }
}
