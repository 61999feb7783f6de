package dev.portcullis.proxy.cache;

import dev.portcullis.core.pipeline.ExchangeKey;
import dev.portcullis.core.pipeline.GatewayResponse;
import dev.portcullis.core.pipeline.ResponseObserver;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Arrays;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The cache's view of one GET or HEAD exchange on a cached path: the lookup result the response
 * filter reports in {@code X-Cache}, the entry found (for revalidation and stale-if-error), and,
 * when the response may be stored, its body copied as it streams to the client.
 *
 * <p>Threading: created and driven on the exchange's event loop. The only exception is a deferred
 * lookup (a coalesced wait, an L2 read) whose stage sets {@link #result} and {@link #entry} before
 * the engine resumes the exchange on its loop, which orders those writes before any later read.
 *
 * <p>Buffers: body parts are copied into a byte array sized from Content-Length (or grown), never
 * retained; the copy stops and is dropped once it passes the policy's {@code max_entry_bytes}.
 */
final class CacheExchange implements ResponseObserver {
  static final ExchangeKey<CacheExchange> KEY = ExchangeKey.of("cache");

  /** Statuses stored when fresh by RFC 9110's heuristic-cacheable list (206 is not handled). */
  private static final Set<Integer> STORABLE = Set.of(200, 203, 204, 300, 301, 308, 404, 410);

  /** Upstream headers that describe one transfer, not the stored response. */
  private static final Set<String> NOT_STORED =
      Set.of(
          "age",
          "x-cache",
          "x-request-id",
          "content-length",
          "transfer-encoding",
          "set-cookie",
          "set-cookie2",
          "via");

  enum Result {
    HIT("HIT"),
    MISS("MISS"),
    STALE("STALE"),
    BYPASS("BYPASS");

    final String header;

    Result(String header) {
      this.header = header;
    }
  }

  private final ResponseCache cache;
  private final CachePolicy policy;
  private final String key;
  private final String path;
  private final HttpHeaders requestHeaders;
  private final boolean head;

  Result result = Result.MISS;
  long ageSeconds;
  CachedEntry entry;
  private CompletableFuture<CachedEntry> flight;
  private CachedEntry outcome;

  // The response being copied, when storable.
  private boolean collecting;
  private HttpResponseStatus status;
  private HttpHeaders storedHeaders;
  private long freshMillis;
  private long swrMillis;
  private long sieMillis;
  private long ageAtStore;
  private String etag;
  private String lastModified;
  private String[] varyNames;
  private byte[] body;
  private int size;

  CacheExchange(
      ResponseCache cache,
      CachePolicy policy,
      String key,
      String path,
      HttpHeaders requestHeaders,
      boolean head) {
    this.cache = cache;
    this.policy = policy;
    this.key = key;
    this.path = path;
    this.requestHeaders = requestHeaders;
    this.head = head;
  }

  String key() {
    return key;
  }

  /** This exchange fetches for every request waiting on {@code pending}. */
  void lead(CompletableFuture<CachedEntry> pending) {
    this.flight = pending;
  }

  /** Answers from {@code found}, counted as {@code how}. */
  GatewayResponse serve(CachedEntry found, Result how, long now) {
    result = how;
    ageSeconds = found.ageSeconds(now);
    return found.response();
  }

  @Override
  public GatewayResponse onResponseHead(
      HttpResponseStatus upstreamStatus, HttpHeaders headers, boolean fromUpstream) {
    if (result != Result.MISS) {
      return null; // the cache's own answer
    }
    long now = cache.now();
    int code = upstreamStatus.code();
    if (code >= 500) {
      // Upstream 5xx, or the gateway's own for a failed, timed-out or circuit-broken upstream.
      if (entry != null && entry.staleIfError(now)) {
        return serve(entry, Result.STALE, now);
      }
      return null;
    }
    if (!fromUpstream) {
      return null;
    }
    if (code == 304 && entry != null) {
      outcome = refreshed(entry, headers, now);
      cache.store(key, outcome);
      return serve(outcome, Result.HIT, now);
    }
    if (!head) {
      prepare(upstreamStatus, headers, now);
    }
    return null;
  }

  private void prepare(HttpResponseStatus upstreamStatus, HttpHeaders headers, long now) {
    if (!STORABLE.contains(upstreamStatus.code())
        || headers.contains(HttpHeaderNames.SET_COOKIE)
        || headers.contains("set-cookie2")) {
      return;
    }
    String[] vary = varyNames(headers.getAll(HttpHeaderNames.VARY));
    if (vary == null) {
      return; // Vary: * can never match a later request
    }
    long contentLength = contentLength(headers);
    if (contentLength > policy.maxEntryBytes) {
      return;
    }
    CacheControl cc = CacheControl.parse(headers.getAll(HttpHeaderNames.CACHE_CONTROL));
    long fresh;
    long swr = policy.staleWhileRevalidateMillis;
    long sie = policy.staleIfErrorMillis;
    if (policy.override) {
      fresh = policy.ttlMillis;
    } else {
      if (cc.noStore || cc.privateResponse) {
        return;
      }
      fresh = explicitFreshness(cc, headers);
      if (fresh < 0) {
        fresh = policy.ttlMillis;
      }
      if (cc.noCache) {
        fresh = 0;
      }
      if (cc.staleWhileRevalidate >= 0) {
        swr = cc.staleWhileRevalidate * 1000;
      }
      if (cc.staleIfError >= 0) {
        sie = cc.staleIfError * 1000;
      }
      if (cc.mustRevalidate || cc.noCache) {
        swr = 0;
        sie = 0;
      }
    }
    String validator = headers.get(HttpHeaderNames.ETAG);
    String modified = headers.get(HttpHeaderNames.LAST_MODIFIED);
    if (fresh <= 0 && validator == null && modified == null) {
      return; // never usable without a full refetch: not worth the memory
    }
    collecting = true;
    status = upstreamStatus;
    freshMillis = fresh;
    swrMillis = swr;
    sieMillis = sie;
    etag = validator;
    lastModified = modified;
    varyNames = vary;
    ageAtStore = Math.max(0, headers.getInt(HttpHeaderNames.AGE, 0)) * 1000L;
    storedHeaders = new DefaultHttpHeaders();
    for (Map.Entry<String, String> h : headers) {
      if (!NOT_STORED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        storedHeaders.add(h.getKey(), h.getValue());
      }
    }
    body = new byte[contentLength >= 0 ? (int) contentLength : 1024];
  }

  private static long contentLength(HttpHeaders headers) {
    String value = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    try {
      return value == null ? -1 : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** s-maxage, max-age or Expires minus Date, in milliseconds; -1 when the response has none. */
  private static long explicitFreshness(CacheControl cc, HttpHeaders headers) {
    if (cc.sMaxAge >= 0) {
      return cc.sMaxAge * 1000;
    }
    if (cc.maxAge >= 0) {
      return cc.maxAge * 1000;
    }
    String expires = headers.get(HttpHeaderNames.EXPIRES);
    if (expires != null) {
      Date at = DateFormatter.parseHttpDate(expires);
      if (at == null) {
        return 0; // an invalid Expires means already expired (RFC 9111 §5.3)
      }
      Date date = DateFormatter.parseHttpDate(headers.get(HttpHeaderNames.DATE, ""));
      long base = date != null ? date.getTime() : System.currentTimeMillis();
      return Math.max(0, at.getTime() - base);
    }
    return -1;
  }

  /** The lower-case names in Vary; null for {@code *}. */
  private static String[] varyNames(java.util.List<String> values) {
    if (values.isEmpty()) {
      return CachedEntry.NO_VARY;
    }
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (String value : values) {
      for (String name : value.split(",")) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("*")) {
          return null;
        }
        if (!n.isEmpty()) {
          names.add(n);
        }
      }
    }
    return names.toArray(new String[0]);
  }

  /** A 304 refreshes the stored entry's freshness and the headers it carries (RFC 9111 §4.3.4). */
  private CachedEntry refreshed(CachedEntry old, HttpHeaders notModified, long now) {
    GatewayResponse response = old.response();
    HttpHeaders headers = response.headers().copy();
    for (String name : new String[] {"cache-control", "expires", "date", "etag", "last-modified"}) {
      if (notModified.contains(name)) {
        headers.set(name, notModified.getAll(name));
      }
    }
    long fresh = policy.ttlMillis;
    if (!policy.override) {
      CacheControl cc = CacheControl.parse(headers.getAll(HttpHeaderNames.CACHE_CONTROL));
      long explicit = explicitFreshness(cc, headers);
      fresh = cc.noCache ? 0 : explicit >= 0 ? explicit : policy.ttlMillis;
    }
    long swr = old.staleWhileRevalidateUntil() - old.freshUntil();
    long sie = old.staleIfErrorUntil() - old.freshUntil();
    return new CachedEntry(
        old.path(),
        old.route(),
        new GatewayResponse(response.status(), headers, response.body()),
        now,
        0,
        now + fresh,
        now + fresh + swr,
        now + fresh + sie,
        headers.get(HttpHeaderNames.ETAG),
        headers.get(HttpHeaderNames.LAST_MODIFIED),
        old.varyNames(),
        old.varyValues());
  }

  @Override
  public void onResponseContent(ByteBuf content, boolean last) {
    if (!collecting) {
      return;
    }
    int n = content.readableBytes();
    if (n > 0) {
      append(content, n);
    }
    if (last && collecting) {
      storeWhole();
    }
  }

  private void append(ByteBuf content, int n) {
    if (size + n > policy.maxEntryBytes) {
      collecting = false; // too large: the rest streams through uncached
      body = null;
      storedHeaders = null;
      return;
    }
    if (size + n > body.length) {
      body =
          Arrays.copyOf(body, Math.min(policy.maxEntryBytes, Math.max(size + n, body.length * 2)));
    }
    content.getBytes(content.readerIndex(), body, size, n);
    size += n;
  }

  /** The upstream's body is whole: stored before its last part goes to the client. */
  private void storeWhole() {
    collecting = false;
    long now = cache.now();
    byte[] stored = size == body.length ? body : Arrays.copyOf(body, size);
    outcome =
        new CachedEntry(
            path,
            policy.route,
            new GatewayResponse(status, storedHeaders, stored),
            now,
            ageAtStore,
            now + freshMillis - ageAtStore,
            now + freshMillis - ageAtStore + swrMillis,
            now + freshMillis - ageAtStore + sieMillis,
            etag,
            lastModified,
            varyNames,
            CachedEntry.varyValues(varyNames, requestHeaders));
    cache.store(key, outcome);
    body = null;
    if (flight != null) {
      cache.land(key, flight, outcome); // the waiters need not wait for the client's last write
      flight = null;
    }
  }

  @Override
  public void onResponseEnd(boolean complete) {
    collecting = false;
    body = null;
    if (flight != null) {
      cache.land(key, flight, outcome);
      flight = null;
    }
  }
}
