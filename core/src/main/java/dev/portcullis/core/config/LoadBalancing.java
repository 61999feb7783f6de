package dev.portcullis.core.config;

/**
 * How an upstream pool spreads requests over its targets. YAML: {@code round_robin}, {@code
 * least_request}.
 */
public enum LoadBalancing {
  ROUND_ROBIN,
  /** Fewest requests in flight, counted per event loop (like Envoy's per-worker view). */
  LEAST_REQUEST;

  public String yamlName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
