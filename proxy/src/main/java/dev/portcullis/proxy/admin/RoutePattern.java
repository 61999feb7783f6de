package dev.portcullis.proxy.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A path pattern such as {@code /admin/api-keys/{id}/rotate}: literal segments match exactly, a
 * {@code {name}} segment matches one non-empty segment and captures it. Compiled once at
 * registration.
 */
final class RoutePattern {
  private final String text;
  private final String[] segments;

  RoutePattern(String text) {
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException("admin route: '" + text + "' (expected: a path from /)");
    }
    this.text = text;
    this.segments = text.substring(1).split("/", -1);
  }

  /** The captured parameters, or null when the path does not match. */
  Map<String, String> match(String path) {
    if (!path.startsWith("/")) {
      return null;
    }
    String[] parts = path.substring(1).split("/", -1);
    if (parts.length != segments.length) {
      return null;
    }
    Map<String, String> params = null;
    for (int i = 0; i < parts.length; i++) {
      String segment = segments[i];
      if (segment.startsWith("{") && segment.endsWith("}")) {
        if (parts[i].isEmpty()) {
          return null;
        }
        if (params == null) {
          params = new LinkedHashMap<>();
        }
        params.put(segment.substring(1, segment.length() - 1), parts[i]);
      } else if (!segment.equals(parts[i])) {
        return null;
      }
    }
    return params == null ? Map.of() : params;
  }

  @Override
  public String toString() {
    return text;
  }
}
