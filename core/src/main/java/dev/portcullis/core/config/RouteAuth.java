package dev.portcullis.core.config;

import java.util.List;
import java.util.Set;

/**
 * How a route authenticates its requests (YAML {@code routes[].auth}).
 *
 * @param methods the credential kinds the route accepts: {@code api_key}, {@code jwt}
 * @param anonymous whether a request without any credential is let through (without a principal); a
 *     credential that is presented is still verified, and a bad one is still refused
 */
public record RouteAuth(List<String> methods, boolean anonymous) {
  public static final String API_KEY = "api_key";
  public static final String JWT = "jwt";
  public static final Set<String> KNOWN_METHODS = Set.of(API_KEY, JWT);

  /** Every proxied route requires a credential unless it says otherwise. */
  public static final RouteAuth REQUIRED = new RouteAuth(List.of(API_KEY, JWT), false);

  /** Credentials optional: for public endpoints, and for tests of features other than auth. */
  public static final RouteAuth ANONYMOUS = new RouteAuth(List.of(API_KEY, JWT), true);

  public RouteAuth {
    Checks.notNull("auth.methods", methods);
    methods = List.copyOf(methods);
    if (methods.isEmpty()) {
      throw new IllegalArgumentException(
          "auth.methods: [] (expected: at least one of " + KNOWN_METHODS + ")");
    }
    for (String method : methods) {
      if (!KNOWN_METHODS.contains(method)) {
        throw new IllegalArgumentException(
            "auth.methods: '" + method + "' (expected: one of " + KNOWN_METHODS + ")");
      }
    }
  }

  public boolean accepts(String method) {
    return methods.contains(method);
  }
}
