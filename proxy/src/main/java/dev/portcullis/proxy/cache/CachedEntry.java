package dev.portcullis.proxy.cache;

import dev.portcullis.core.pipeline.GatewayResponse;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One stored response and its freshness, in wall-clock milliseconds so replicas sharing Redis agree
 * on it. The response (status, headers, body as a plain byte array) is built once and shared by
 * every hit: nothing may modify it, the engine copies headers into each response it writes.
 *
 * @param path the normalised path (for invalidation and purges)
 * @param route the route name (for purges)
 * @param storedAt when the response was received
 * @param ageAtStore the response's age when it was received (its {@code Age} header)
 * @param freshUntil until when it is served without asking the upstream
 * @param staleWhileRevalidateUntil until when other requests get it while one revalidates
 * @param staleIfErrorUntil until when it answers in place of an upstream failure
 * @param varyNames the request headers named by {@code Vary}, lower case; empty for none
 * @param varyValues those headers' values in the request that fetched it
 */
record CachedEntry(
    String path,
    String route,
    GatewayResponse response,
    long storedAt,
    long ageAtStore,
    long freshUntil,
    long staleWhileRevalidateUntil,
    long staleIfErrorUntil,
    String etag,
    String lastModified,
    String[] varyNames,
    String varyValues) {

  static final String[] NO_VARY = new String[0];

  boolean fresh(long now) {
    return now < freshUntil;
  }

  boolean staleWhileRevalidate(long now) {
    return now < staleWhileRevalidateUntil;
  }

  boolean staleIfError(long now) {
    return now < staleIfErrorUntil;
  }

  boolean hasValidator() {
    return etag != null || lastModified != null;
  }

  /** Seconds for the {@code Age} header. */
  long ageSeconds(long now) {
    return Math.max(0, ageAtStore + (now - storedAt)) / 1000;
  }

  /** What the entry costs in memory, roughly: the weigher's unit is a byte. */
  int weight(String key) {
    long w = 128L + response.body().length + key.length() * 2L + path.length() * 2L;
    HttpHeaders headers = response.headers();
    for (java.util.Map.Entry<String, String> h : headers) {
      w += 48 + (h.getKey().length() + h.getValue().length()) * 2L;
    }
    return (int) Math.min(Integer.MAX_VALUE, w);
  }

  /** Where a response with {@code Vary} is stored: its request's values of those headers. */
  static String varyValues(String[] names, HttpHeaders request) {
    if (names.length == 0) {
      return "";
    }
    StringBuilder values = new StringBuilder();
    for (String name : names) {
      values.append(name).append('=');
      for (String v : request.getAll(name)) {
        values.append(v.trim()).append(',');
      }
      values.append('\u0001');
    }
    return values.toString();
  }
}
