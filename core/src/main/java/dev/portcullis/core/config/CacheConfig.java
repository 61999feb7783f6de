package dev.portcullis.core.config;

/** The response cache (YAML `cache`); off unless a policy names a route. */
public record CacheConfig() {
  public static final CacheConfig DEFAULTS = new CacheConfig();
}
