package dev.portcullis.proxy.cache;

import dev.portcullis.core.config.CacheConfig;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.pipeline.FilterOrder;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.ResponseFilter;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response cache of one gateway: the compiled policies, the in-memory entries, the requests in
 * flight that others wait on, and the optional Redis link (shared L2 entries and the invalidation
 * channel between replicas). It contributes one request and one response filter to each route a
 * policy names, at {@link FilterOrder#CACHE}.
 *
 * <p>Thread-safe: called from every event loop and from Redis threads.
 */
public final class ResponseCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);

  private final CacheConfig config;
  private final LongSupplier clock;
  private final CacheStore store;
  private final RedisCacheLink redis;
  private final ConcurrentHashMap<String, CompletableFuture<CachedEntry>> flights =
      new ConcurrentHashMap<>();
  private final Map<String, CacheRouteFilter> filters = new ConcurrentHashMap<>();
  private final long coalesceWaitMillis;

  private ResponseCache(CacheConfig config, LongSupplier clock) {
    this.config = config;
    this.clock = clock;
    this.store = new CacheStore(config.maxBytes());
    this.coalesceWaitMillis = config.coalesceWait().toMillis();
    this.redis = config.redis() == null ? null : RedisCacheLink.connect(config.redis(), this);
  }

  /** Builds the cache; connects to Redis when the configuration names one. */
  public static ResponseCache create(CacheConfig config) {
    return new ResponseCache(config, System::currentTimeMillis);
  }

  /** The filters for the routes the policies name. */
  public RouteFilterFactory filterFactory() {
    return new RouteFilterFactory() {
      @Override
      public int order() {
        return FilterOrder.CACHE;
      }

      @Override
      public List<RequestFilter> requestFilters(RouteConfig route) {
        CacheRouteFilter filter = filterFor(route.name());
        return filter == null ? List.of() : List.of(filter);
      }

      @Override
      public List<ResponseFilter> responseFilters(RouteConfig route) {
        CacheRouteFilter filter = filterFor(route.name());
        return filter == null ? List.of() : List.of(filter);
      }
    };
  }

  private CacheRouteFilter filterFor(String route) {
    return filters.computeIfAbsent(
        route,
        name -> {
          List<CachePolicy> compiled = new ArrayList<>();
          for (CacheConfig.Policy policy : config.policies()) {
            if (policy.route().equals(name)) {
              compiled.add(new CachePolicy(policy));
            }
          }
          return compiled.isEmpty()
              ? null
              : new CacheRouteFilter(this, name, compiled.toArray(new CachePolicy[0]));
        });
  }

  /** Completes once Redis (when configured) is connected and subscribed; at once without it. */
  CompletableFuture<?> redisReady() {
    return redis == null ? CompletableFuture.completedFuture(null) : redis.ready();
  }

  long now() {
    return clock.getAsLong();
  }

  long coalesceWaitMillis() {
    return coalesceWaitMillis;
  }

  CachedEntry lookup(String key, HttpHeaders requestHeaders) {
    return store.get(key, requestHeaders);
  }

  boolean inFlight(String key) {
    return flights.containsKey(key);
  }

  /** Registers {@code pending} as the fetch for {@code key}; returns an earlier one instead. */
  CompletableFuture<CachedEntry> joinOrLead(String key, CompletableFuture<CachedEntry> pending) {
    return flights.putIfAbsent(key, pending);
  }

  /** The fetch for {@code key} is over: its waiters get {@code entry} (null: fetch yourselves). */
  void land(String key, CompletableFuture<CachedEntry> flight, CachedEntry entry) {
    flights.remove(key, flight);
    flight.complete(entry);
  }

  /** The L2 read for {@code key}, completing with null on a miss or error; null without L2. */
  CompletableFuture<CachedEntry> readShared(String key) {
    return redis == null || !redis.l2() ? null : redis.get(key);
  }

  void store(String key, CachedEntry entry) {
    store.put(key, entry);
    if (redis != null && redis.l2() && entry.varyNames().length == 0) {
      redis.put(key, entry, Math.max(0, entry.staleIfErrorUntil() - now()));
    }
  }

  void storeLocal(String key, CachedEntry entry) {
    store.put(key, entry);
  }

  /** After a successful write: drops {@code path}, what is below it and its nearest parents. */
  void invalidate(String path, int parents) {
    store.invalidate(path, parents);
    if (redis != null) {
      redis.publishInvalidation(path, parents);
    }
  }

  /** An invalidation another replica published. */
  void invalidatedElsewhere(String path, int parents) {
    long dropped = store.invalidate(path, parents);
    log.debug("invalidation from a replica dropped {} entries under {}", dropped, path);
  }

  /**
   * Drops every entry of a route, here and (by pub/sub) on every replica; returns the local count.
   */
  public long purgeRoute(String route) {
    long dropped = store.purgeRoute(route);
    if (redis != null) {
      redis.publishPurge("route", route);
    }
    return dropped;
  }

  /** Drops every entry at or below a path, here and on every replica; returns the local count. */
  public long purgePrefix(String prefix) {
    long dropped = store.purgePrefix(prefix);
    if (redis != null) {
      redis.publishPurge("prefix", prefix);
    }
    return dropped;
  }

  void purgedElsewhere(String kind, String value) {
    if (kind.equals("route")) {
      store.purgeRoute(value);
    } else {
      store.purgePrefix(value);
    }
  }

  /** Responses by route and result ({@code hit}, {@code miss}, {@code stale}, {@code bypass}). */
  public void forEachResult(ResultConsumer consumer) {
    for (CacheRouteFilter filter : filters.values()) {
      for (CacheExchange.Result result : CacheExchange.Result.values()) {
        consumer.accept(
            filter.route(),
            result.name().toLowerCase(java.util.Locale.ROOT),
            filter.results[result.ordinal()].sum());
      }
    }
  }

  /** Receives one counter of {@link #forEachResult}. */
  @FunctionalInterface
  public interface ResultConsumer {
    void accept(String route, String result, long count);
  }

  /** Entries in memory now. */
  public long entries() {
    return store.entries();
  }

  /** What the in-memory entries weigh, in bytes (bounded by {@code cache.max_bytes}). */
  public long bytes() {
    store.cleanUp();
    return store.weightedBytes();
  }

  /** Entries evicted to stay within {@code cache.max_bytes}. */
  public long evictions() {
    return store.evictions();
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }
}
