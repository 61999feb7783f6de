package dev.portcullis.proxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.portcullis.core.pipeline.EventLoopCaches;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The in-memory (L1) entries: a Caffeine cache bounded by weight in bytes, bodies as byte arrays.
 *
 * <p>Vary: a response that varies is stored under its primary key (method, path, query, route,
 * authorisation context) as a marker naming the request headers, and under the primary key plus
 * this request's values of those headers as the entry itself. A lookup reads the marker first, so
 * variants coexist and a request whose headers differ never gets another variant.
 *
 * <p>Invalidation finds its entries through a path index beside Caffeine (path to the keys stored
 * under it, sorted so a path's sub-resources are one range): a write to Jira or Confluence is
 * common, and scanning every entry on the event loop per write grew with the cache (a 100,000-entry
 * L1 took 50 ms per write in CacheLookupBenchmark). The index may name keys Caffeine no longer
 * holds, never the reverse: a put indexes its key before and after storing it, evictions drop keys
 * from it, and the keys of a path are dropped from it before they are invalidated. Thread-safe:
 * Caffeine's own guarantees; each path's key set is guarded by one of {@link #LOCK_STRIPES} locks,
 * never held while calling into Caffeine (its eviction listener takes them, so Caffeine's locks
 * come first).
 */
final class CacheStore {
  private static final char VARIANT = '\u0002';
  private static final int LOCK_STRIPES = 64;

  private final Cache<String, Object> cache;
  private final LongAdder evictions = new LongAdder();
  private final ConcurrentSkipListMap<String, Set<String>> keysByPath =
      new ConcurrentSkipListMap<>();
  private final Object[] pathLocks = new Object[LOCK_STRIPES];

  /** The Vary header names of a primary key's variants. */
  record VaryMarker(String path, String route, String[] names) {}

  CacheStore(long maxBytes) {
    for (int i = 0; i < LOCK_STRIPES; i++) {
      pathLocks[i] = new Object();
    }
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
                  if (key != null && value != null) {
                    unindex(pathOf(value), key);
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
      store(entry.path(), primaryKey, entry);
      return;
    }
    store(entry.path(), primaryKey, new VaryMarker(entry.path(), entry.route(), entry.varyNames()));
    store(entry.path(), primaryKey + VARIANT + entry.varyValues(), entry);
  }

  /**
   * Indexed before storing, so an invalidation that runs meanwhile finds the key; and again after
   * when the key is still there, since an eviction of its previous value in between unindexed it.
   * (Caffeine's admission policy often rejects a new key at once: then the eviction listener has
   * unindexed it and it stays out.)
   */
  private void store(String path, String key, Object value) {
    index(path, key);
    cache.put(key, value);
    if (cache.asMap().containsKey(key)) {
      index(path, key);
    }
  }

  private void index(String path, String key) {
    synchronized (lockFor(path)) {
      keysByPath.computeIfAbsent(path, p -> new HashSet<>(4)).add(key);
    }
  }

  private void unindex(String path, String key) {
    synchronized (lockFor(path)) {
      Set<String> keys = keysByPath.get(path);
      if (keys != null && keys.remove(key) && keys.isEmpty()) {
        keysByPath.remove(path);
      }
    }
  }

  /** Takes a path's keys out of the index; the caller then invalidates them. */
  private Set<String> unindexPath(String path) {
    synchronized (lockFor(path)) {
      Set<String> keys = keysByPath.remove(path);
      return keys == null ? Set.of() : keys;
    }
  }

  private Object lockFor(String path) {
    return pathLocks[(path.hashCode() & 0x7fffffff) % LOCK_STRIPES];
  }

  private static String pathOf(Object value) {
    return value instanceof CachedEntry entry ? entry.path() : ((VaryMarker) value).path();
  }

  private static String routeOf(Object value) {
    return value instanceof CachedEntry entry ? entry.route() : ((VaryMarker) value).route();
  }

  /**
   * Drops the entries of {@code path}, of every path below it, and of its {@code parents} nearest
   * parent paths (those exactly, not what lies below them).
   */
  long invalidate(String path, int parents) {
    long removed = removePaths(pathsAtOrUnder(path));
    for (String parent : parentPaths(path, parents)) {
      removed += removePath(parent);
    }
    return removed;
  }

  long purgeRoute(String route) {
    long removed = 0;
    for (var entry : cache.asMap().entrySet()) {
      Object value = entry.getValue();
      if (route.equals(routeOf(value)) && cache.asMap().remove(entry.getKey(), value)) {
        unindex(pathOf(value), entry.getKey());
        if (value instanceof CachedEntry) {
          removed++;
        }
      }
    }
    return removed;
  }

  long purgePrefix(String prefix) {
    String p =
        prefix.length() > 1 && prefix.endsWith("/")
            ? prefix.substring(0, prefix.length() - 1)
            : prefix;
    return removePaths(p.equals("/") ? keysByPath.keySet() : pathsAtOrUnder(p));
  }

  /** The indexed paths equal to {@code path} or below it ({@code path/...}), in order. */
  private Collection<String> pathsAtOrUnder(String path) {
    List<String> paths = new ArrayList<>();
    if (keysByPath.containsKey(path)) {
      paths.add(path);
    }
    // '0' is the character after '/', so in String order this range is exactly "path/...".
    paths.addAll(keysByPath.subMap(path + '/', true, path + '0', false).keySet());
    return paths;
  }

  private long removePaths(Collection<String> paths) {
    long removed = 0;
    for (String path : List.copyOf(paths)) {
      removed += removePath(path);
    }
    return removed;
  }

  /** Invalidates every key indexed under one path; returns how many entries (not markers) went. */
  private long removePath(String path) {
    long removed = 0;
    for (String key : unindexPath(path)) {
      if (cache.asMap().remove(key) instanceof CachedEntry) {
        removed++;
      }
    }
    return removed;
  }

  /** Keys the path index holds: for tests, which check it follows evictions and removals. */
  long indexedKeys() {
    long count = 0;
    for (String path : keysByPath.keySet()) {
      synchronized (lockFor(path)) {
        Set<String> keys = keysByPath.get(path);
        count += keys == null ? 0 : keys.size();
      }
    }
    return count;
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
