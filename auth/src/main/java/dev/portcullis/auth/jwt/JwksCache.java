package dev.portcullis.auth.jwt;

import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One issuer's public keys, fetched from its JWKS URL and kept as an immutable snapshot swapped in
 * whole, so the hot path reads one volatile field and one {@link HashMap} lookup.
 *
 * <p>Fetching: with the JDK {@link HttpClient}, whose own executor runs the request and its
 * completion, never an event loop. A {@code kid} missing from the snapshot triggers a refetch at
 * most once per {@code refreshMinInterval} (a flood of tokens with made-up {@code kid}s costs one
 * fetch per interval); concurrent callers share the fetch in flight. A snapshot older than {@code
 * cacheTtl} is refetched in the background while its keys stay in use. A failed fetch keeps the
 * previous keys and records the failure, so a key that was known keeps working while the issuer's
 * JWKS endpoint is down.
 *
 * <p>Threading: any thread; all state is in {@link #snapshot} (volatile) and {@link #inFlight}
 * (CAS), plus {@link #lastAttemptMillis}, which only paces fetches.
 */
final class JwksCache {
  private static final Logger log = LoggerFactory.getLogger(JwksCache.class);
  private static final int MAX_JWKS_BYTES = 512 * 1024;

  /** The keys of one successful fetch, and whether the latest attempt failed. */
  record Snapshot(
      Map<String, PublicJwk> byKid, PublicJwk onlyKey, long fetchedAtMillis, String failure) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), null, Long.MIN_VALUE, null);

    /** The key for {@code kid}; a token without {@code kid} may use a set's only key. */
    PublicJwk find(String kid) {
      return kid == null ? onlyKey : byKid.get(kid);
    }

    Snapshot failed(String reason) {
      return new Snapshot(byKid, onlyKey, fetchedAtMillis, reason);
    }
  }

  /** A usable verification key and the algorithm its JWK pins, if any. */
  record PublicJwk(PublicKey key, String algorithm) {}

  private final URI url;
  private final HttpClient http;
  private final Duration fetchTimeout;
  private final long minIntervalMillis;
  private final long ttlMillis;
  private final Clock clock;
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private final AtomicReference<CompletableFuture<Snapshot>> inFlight = new AtomicReference<>();
  private volatile long lastAttemptMillis = Long.MIN_VALUE;

  JwksCache(
      URI url,
      HttpClient http,
      Duration fetchTimeout,
      Duration refreshMinInterval,
      Duration cacheTtl,
      Clock clock) {
    this.url = url;
    this.http = http;
    this.fetchTimeout = fetchTimeout;
    this.minIntervalMillis = refreshMinInterval.toMillis();
    this.ttlMillis = cacheTtl.toMillis();
    this.clock = clock;
  }

  URI url() {
    return url;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /**
   * The cached key for {@code kid}, or null; starts a background refetch when the set is stale
   * (paced like any other, so an unreachable endpoint is not asked on every request).
   */
  PublicJwk cached(String kid) {
    Snapshot current = snapshot;
    if (current.fetchedAtMillis != Long.MIN_VALUE) {
      long now = clock.millis();
      if (now - current.fetchedAtMillis > ttlMillis
          && now - lastAttemptMillis >= minIntervalMillis
          && inFlight.get() == null) {
        fetch();
      }
    }
    return current.find(kid);
  }

  /**
   * A refetch for a {@code kid} the snapshot lacks: the fetch in flight, a new one, or null when
   * the last attempt is more recent than the minimum interval (the caller then decides on the
   * current snapshot).
   */
  CompletionStage<Snapshot> refreshForUnknownKid() {
    CompletableFuture<Snapshot> running = inFlight.get();
    if (running != null) {
      return running;
    }
    long last = lastAttemptMillis;
    if (last != Long.MIN_VALUE && clock.millis() - last < minIntervalMillis) {
      return null;
    }
    return fetch();
  }

  /** Starts a fetch unless one is in flight; returns the one that will answer. */
  CompletableFuture<Snapshot> fetch() {
    CompletableFuture<Snapshot> running = inFlight.get();
    if (running != null) {
      return running;
    }
    CompletableFuture<Snapshot> mine = new CompletableFuture<>();
    running = inFlight.compareAndExchange(null, mine);
    if (running != null) {
      return running;
    }
    lastAttemptMillis = clock.millis();
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(fetchTimeout)
            .header("Accept", "application/jwk-set+json, application/json")
            .GET()
            .build();
    // The request timeout ends at the response head; this one bounds the whole fetch, so a
    // server trickling its body cannot keep waiting tokens (and later fetches) pending forever.
    CompletableFuture.delayedExecutor(fetchTimeout.toMillis() * 2, TimeUnit.MILLISECONDS)
        .execute(() -> settle(mine, null, new HttpTimeoutException("key set not read in time")));
    try {
      http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
          .handle((response, error) -> settle(mine, response, error));
    } catch (RuntimeException e) {
      settle(mine, null, e);
    }
    return mine;
  }

  private Void settle(
      CompletableFuture<Snapshot> mine, HttpResponse<InputStream> response, Throwable error) {
    if (mine.isDone()) {
      closeQuietly(response);
      return null;
    }
    Snapshot next;
    try {
      next = parse(response, error);
    } catch (RuntimeException e) {
      next = snapshot.failed("unreadable key set: " + e.getClass().getSimpleName());
    }
    // The fetch and its deadline may both settle: the first one wins.
    synchronized (mine) {
      if (mine.isDone()) {
        return null;
      }
      if (next.failure != null) {
        log.warn("JWKS {} not refreshed: {}", url, next.failure);
      }
      snapshot = next;
      inFlight.set(null);
      mine.complete(next);
    }
    return null;
  }

  private static void closeQuietly(HttpResponse<InputStream> response) {
    if (response != null) {
      try {
        response.body().close();
      } catch (IOException ignored) {
        // the connection is being dropped anyway
      }
    }
  }

  private Snapshot parse(HttpResponse<InputStream> response, Throwable error) {
    if (error != null) {
      Throwable cause = error.getCause() != null ? error.getCause() : error;
      return snapshot.failed("fetch failed: " + cause.getClass().getSimpleName());
    }
    String body;
    // Read on the fetcher's thread, never more than the limit: a key set is a few KB.
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        return snapshot.failed("HTTP " + response.statusCode());
      }
      byte[] bytes = in.readNBytes(MAX_JWKS_BYTES + 1);
      if (bytes.length > MAX_JWKS_BYTES) {
        return snapshot.failed("key set larger than " + MAX_JWKS_BYTES + " bytes");
      }
      body = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return snapshot.failed("fetch failed: " + e.getClass().getSimpleName());
    }
    // jjwt checks each key's parameters (RSA size, EC point on its curve); unsupported key types
    // are skipped rather than failing the whole set.
    JwkSet set = Jwks.setParser().ignoreUnsupported(true).build().parse(body);
    Map<String, PublicJwk> byKid = new HashMap<>();
    List<Jwk<?>> signingKeys = new java.util.ArrayList<>();
    for (Jwk<?> jwk : set.getKeys()) {
      Object use = jwk.get("use");
      Key key = jwk.toKey();
      if (!(key instanceof PublicKey publicKey) || (use != null && !"sig".equals(use))) {
        continue;
      }
      signingKeys.add(jwk);
      if (jwk.getId() != null) {
        byKid.put(jwk.getId(), new PublicJwk(publicKey, jwk.getAlgorithm()));
      }
    }
    PublicJwk only =
        signingKeys.size() == 1
            ? new PublicJwk(
                (PublicKey) signingKeys.get(0).toKey(), signingKeys.get(0).getAlgorithm())
            : null;
    return new Snapshot(Map.copyOf(byKid), only, clock.millis(), null);
  }
}
