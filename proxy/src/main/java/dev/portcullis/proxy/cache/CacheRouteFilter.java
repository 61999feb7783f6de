package dev.portcullis.proxy.cache;

import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.GatewayResponse;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.ResponseFilter;
import dev.portcullis.core.pipeline.ResponseObserver;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cache on one route: the request filter looks up, answers hits and coalesces misses; the
 * response filter writes {@code X-Cache} (and {@code Age} on cached answers) on every response of
 * the route, counts it, and invalidates after a successful write.
 *
 * <p>The key is the normalised path, the query, the route and the authorisation context (the
 * principal, or tenant and permission set when the policy shares by tenant), plus the values of the
 * headers the response's {@code Vary} names. No other request header takes part, so none can poison
 * an entry. A request with credentials but no principal (authentication not configured on the
 * route) is never cached: the upstream decides who it is, and the gateway cannot key on that.
 *
 * <p>Threading: called on the exchange's event loop; shared by every loop, so its own state is
 * immutable or striped counters.
 */
final class CacheRouteFilter implements RequestFilter, ResponseFilter {
  private static final CharSequence X_CACHE = "x-cache";

  private final ResponseCache cache;
  private final String route;
  private final CachePolicy[] policies;
  private final int invalidateParents;

  /** By {@link CacheExchange.Result} ordinal. */
  final LongAdder[] results = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};

  CacheRouteFilter(ResponseCache cache, String route, CachePolicy[] policies) {
    this.cache = cache;
    this.route = route;
    this.policies = policies;
    this.invalidateParents =
        Arrays.stream(policies).mapToInt(p -> p.config.invalidateParents()).max().orElse(0);
  }

  String route() {
    return route;
  }

  @Override
  public FilterDecision onRequest(Exchange exchange) {
    HttpMethod method = exchange.method();
    boolean head = method == HttpMethod.HEAD;
    if (method != HttpMethod.GET && !head) {
      return FilterDecision.CONTINUE;
    }
    CachePolicy policy = policyFor(method, exchange.path());
    if (policy == null) {
      return FilterDecision.CONTINUE;
    }
    HttpHeaders headers = exchange.requestHeaders();
    CacheControl requested =
        headers.contains(HttpHeaderNames.CACHE_CONTROL)
            ? CacheControl.parse(headers.getAll(HttpHeaderNames.CACHE_CONTROL))
            : CacheControl.NONE;
    Principal principal = exchange.get(Principal.KEY);
    if (requested.noStore
        || (principal == null
            && (headers.contains(HttpHeaderNames.AUTHORIZATION)
                || headers.contains(HttpHeaderNames.COOKIE)))) {
      return FilterDecision.CONTINUE;
    }
    String key = key(exchange, policy, principal);
    CacheExchange state = new CacheExchange(cache, policy, key, exchange.path(), headers, head);
    exchange.set(CacheExchange.KEY, state);
    exchange.set(ResponseObserver.KEY, state);
    long now = cache.now();
    boolean revalidate =
        requested.noCache || requested.maxAge == 0 || headers.contains(HttpHeaderNames.PRAGMA);
    CachedEntry entry = cache.lookup(key, headers);
    if (entry != null && !revalidate) {
      if (entry.fresh(now)) {
        return FilterDecision.respond(state.serve(entry, CacheExchange.Result.HIT, now));
      }
      if (entry.staleWhileRevalidate(now) && cache.inFlight(key)) {
        return FilterDecision.respond(state.serve(entry, CacheExchange.Result.STALE, now));
      }
    }
    if (requested.onlyIfCached) {
      return FilterDecision.respond(
          GatewayResponse.error(
              HttpResponseStatus.GATEWAY_TIMEOUT,
              "not_cached",
              "The request asked for a cached response only and none is stored.",
              exchange));
    }
    state.entry = entry;
    // The client's own validators would turn the answer into a 304 the cache cannot store.
    headers.remove(HttpHeaderNames.IF_NONE_MATCH);
    headers.remove(HttpHeaderNames.IF_MODIFIED_SINCE);
    if (head) {
      return FilterDecision.CONTINUE; // a HEAD answer has no body to store: only GETs fetch
    }
    CompletableFuture<CachedEntry> pending = new CompletableFuture<>();
    CompletableFuture<CachedEntry> earlier = cache.joinOrLead(key, pending);
    if (earlier == null) {
      state.lead(pending);
      if (entry != null) {
        if (entry.etag() != null) {
          headers.set(HttpHeaderNames.IF_NONE_MATCH, entry.etag());
        }
        if (entry.lastModified() != null) {
          headers.set(HttpHeaderNames.IF_MODIFIED_SINCE, entry.lastModified());
        }
        return FilterDecision.CONTINUE;
      }
      CompletableFuture<CachedEntry> shared = cache.readShared(key);
      if (shared == null) {
        return FilterDecision.CONTINUE;
      }
      return FilterDecision.defer(
          shared.thenApply(
              found -> {
                long at = cache.now();
                if (found == null || !found.fresh(at) || !varies(found, headers)) {
                  state.entry = found;
                  return FilterDecision.CONTINUE;
                }
                cache.storeLocal(key, found);
                cache.land(key, pending, found);
                state.lead(null);
                return FilterDecision.respond(state.serve(found, CacheExchange.Result.HIT, at));
              }));
    }
    return FilterDecision.defer(
        earlier
            .copy()
            .completeOnTimeout(null, cache.coalesceWaitMillis(), TimeUnit.MILLISECONDS)
            .thenApply(
                found -> {
                  long at = cache.now();
                  if (found != null && found.fresh(at) && varies(found, headers)) {
                    return FilterDecision.respond(state.serve(found, CacheExchange.Result.HIT, at));
                  }
                  return FilterDecision.CONTINUE; // past the wait or not storable: fetch alone
                }));
  }

  /** Whether {@code entry} is the variant this request's headers select. */
  private static boolean varies(CachedEntry entry, HttpHeaders headers) {
    return entry.varyNames().length == 0
        || entry.varyValues().equals(CachedEntry.varyValues(entry.varyNames(), headers));
  }

  private CachePolicy policyFor(HttpMethod method, String path) {
    for (CachePolicy policy : policies) {
      if (policy.covers(method, path)) {
        return policy;
      }
    }
    return null;
  }

  /**
   * Path, query, route, then who may see it. Lengths prefix the identity parts so no choice of
   * subject or tenant can spell another principal's key.
   */
  private String key(Exchange exchange, CachePolicy policy, Principal principal) {
    StringBuilder key = new StringBuilder(96).append(exchange.path()).append('?');
    if (exchange.query() != null) {
      key.append(exchange.query());
    }
    key.append('\u0000').append(route).append('\u0000');
    if (principal == null) {
      return key.append("anonymous").toString();
    }
    String tenant = principal.tenant() == null ? "" : principal.tenant();
    if (policy.tenantShared && principal.tenant() != null) {
      key.append("tenant:").append(tenant.length()).append(':').append(tenant);
    } else {
      key.append("principal:").append(tenant.length()).append(':').append(tenant);
      key.append(principal.subject().length()).append(':').append(principal.subject());
      appendSorted(key.append(";scopes:"), principal.scopes());
    }
    appendSorted(key.append(";permissions:"), principal.permissions());
    return key.toString();
  }

  private static void appendSorted(StringBuilder key, Set<String> values) {
    String[] sorted = values.toArray(new String[0]);
    Arrays.sort(sorted);
    for (String value : sorted) {
      key.append(value.length()).append(':').append(value);
    }
  }

  @Override
  public void onResponse(Exchange exchange, HttpResponseStatus status, HttpHeaders headers) {
    CacheExchange state = exchange.get(CacheExchange.KEY);
    CacheExchange.Result result = state == null ? CacheExchange.Result.BYPASS : state.result;
    headers.set(X_CACHE, result.header);
    if (result == CacheExchange.Result.HIT || result == CacheExchange.Result.STALE) {
      headers.set(HttpHeaderNames.AGE, state.ageSeconds);
    }
    results[result.ordinal()].increment();
    HttpMethod method = exchange.method();
    int code = status.code();
    if (code >= 200
        && code < 400
        && (method == HttpMethod.POST
            || method == HttpMethod.PUT
            || method == HttpMethod.PATCH
            || method == HttpMethod.DELETE)) {
      cache.invalidate(exchange.path(), invalidateParents);
    }
  }
}
