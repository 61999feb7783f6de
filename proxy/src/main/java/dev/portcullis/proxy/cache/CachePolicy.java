package dev.portcullis.proxy.cache;

import dev.portcullis.core.config.CacheConfig;
import dev.portcullis.core.route.PathPattern;
import io.netty.handler.codec.http.HttpMethod;

/** A {@link CacheConfig.Policy} compiled once: path patterns and durations in milliseconds. */
final class CachePolicy {
  final CacheConfig.Policy config;
  final String route;
  final boolean tenantShared;
  final boolean override;
  final long ttlMillis;
  final long staleWhileRevalidateMillis;
  final long staleIfErrorMillis;
  final int maxEntryBytes;
  private final PathPattern[] paths;
  private final boolean get;
  private final boolean head;

  CachePolicy(CacheConfig.Policy config) {
    this.config = config;
    this.route = config.route();
    this.tenantShared = config.share() == CacheConfig.Share.TENANT;
    this.override = config.overrideUpstreamCacheControl();
    this.ttlMillis = config.ttl().toMillis();
    this.staleWhileRevalidateMillis = config.staleWhileRevalidate().toMillis();
    this.staleIfErrorMillis = config.staleIfError().toMillis();
    this.maxEntryBytes = config.maxEntryBytes();
    this.paths = config.paths().stream().map(PathPattern::glob).toArray(PathPattern[]::new);
    this.get = config.methods().contains("GET");
    this.head = config.methods().contains("HEAD");
  }

  boolean covers(HttpMethod method, String path) {
    if (method == HttpMethod.GET ? !get : !head) {
      return false;
    }
    if (paths.length == 0) {
      return true;
    }
    for (PathPattern pattern : paths) {
      if (pattern.matches(path)) {
        return true;
      }
    }
    return false;
  }
}
