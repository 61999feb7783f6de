package dev.portcullis.proxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.portcullis.core.pipeline.EventLoopCaches;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;

/**
 * The in-memory (L1) entries: a Caffeine cache bounded by weight in bytes, bodies as byte arrays.
 *
 * <p>Vary: a response that varies is stored under its primary key (method, path, query, route,
 * authorisation context) as a marker naming the request headers, and under the primary key plus
 * this request's values of those headers as the entry itself. A lookup reads the marker first, so
 * variants coexist and a request whose headers differ never gets another variant.
 *
 * <p>Invalidation and purges scan the entries: writes are far rarer than reads, and an index kept
 * beside Caffeine would have to follow its evictions. Thread-safe: Caffeine's own guarantees.
 */
final class CacheStore {
  private static final char VARIANT = '\u0002';

  private final Cache<String, Object> cache;
  private final LongAdder evictions = new LongAdder();

  /** The Vary header names of a primary key's variants. */
  record VaryMarker(String path, String route, String[] names) {}

  CacheStore(long maxBytes) {
    this.cache =
        EventLoopCaches.newBuilder()
            .maximumWeight(maxBytes)
            .weigher(
                (String key, Object value) ->
                    value instanceof CachedEntry entry
                        ? entry.weight(key)
                        : 96 + key.length() * 2 + 32 * ((VaryMarker) value).names().length)
            .evictionListener(
                (String key, Object value, RemovalCause cause) -> {
                  if (cause == RemovalCause.SIZE) {
                    evictions.increment();
                  }
                })
            .build();
  }

  /** The entry for this request, fresh or not, or null. */
  CachedEntry get(String primaryKey, HttpHeaders requestHeaders) {
    Object value = cache.getIfPresent(primaryKey);
    if (value instanceof VaryMarker marker) {
      String values = CachedEntry.varyValues(marker.names(), requestHeaders);
      value = cache.getIfPresent(primaryKey + VARIANT + values);
    }
    return value instanceof CachedEntry entry ? entry : null;
  }

  void put(String primaryKey, CachedEntry entry) {
    if (entry.varyNames().length == 0) {
      cache.put(primaryKey, entry);
      return;
    }
    cache.put(primaryKey, new VaryMarker(entry.path(), entry.route(), entry.varyNames()));
    cache.put(primaryKey + VARIANT + entry.varyValues(), entry);
  }

  /**
   * Drops the entries of {@code path}, of every path below it, and of its {@code parents} nearest
   * parent paths (those exactly, not what lies below them).
   */
  long invalidate(String path, int parents) {
    String[] exact = parentPaths(path, parents);
    return removeIf(
        (p, route) -> {
          if (underOrAt(p, path)) {
            return true;
          }
          for (String parent : exact) {
            if (p.equals(parent)) {
              return true;
            }
          }
          return false;
        });
  }

  long purgeRoute(String route) {
    return removeIf((path, valueRoute) -> route.equals(valueRoute));
  }

  long purgePrefix(String prefix) {
    String p =
        prefix.length() > 1 && prefix.endsWith("/")
            ? prefix.substring(0, prefix.length() - 1)
            : prefix;
    return removeIf((path, route) -> p.equals("/") || underOrAt(path, p));
  }

  /** Removes the values whose (path, route) match; returns how many entries (not markers) went. */
  private long removeIf(BiPredicate<String, String> matches) {
    long[] removed = {0};
    cache
        .asMap()
        .values()
        .removeIf(
            v -> {
              boolean drop =
                  v instanceof CachedEntry e
                      ? matches.test(e.path(), e.route())
                      : matches.test(((VaryMarker) v).path(), ((VaryMarker) v).route());
              if (drop && v instanceof CachedEntry) {
                removed[0]++;
              }
              return drop;
            });
    return removed[0];
  }

  static boolean underOrAt(String candidate, String path) {
    return candidate.startsWith(path)
        && (candidate.length() == path.length() || candidate.charAt(path.length()) == '/');
  }

  /** The {@code n} nearest parents of a path: {@code /a/b/c} with 2 gives {@code /a/b, /a}. */
  static String[] parentPaths(String path, int n) {
    String[] out = new String[n];
    int count = 0;
    String current = path;
    while (count < n) {
      int slash = current.lastIndexOf('/');
      if (slash <= 0) {
        break;
      }
      current = current.substring(0, slash);
      out[count++] = current;
    }
    return java.util.Arrays.copyOf(out, count);
  }

  long entries() {
    return cache.asMap().values().stream().filter(CachedEntry.class::isInstance).count();
  }

  long weightedBytes() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  long evictions() {
    return evictions.sum();
  }

  /** Runs Caffeine's pending maintenance (evictions) now: for tests and scrapes. */
  void cleanUp() {
    cache.cleanUp();
  }
}
