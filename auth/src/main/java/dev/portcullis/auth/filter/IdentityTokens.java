package dev.portcullis.auth.filter;

import com.github.benmanes.caffeine.cache.Cache;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.EventLoopCaches;
import dev.portcullis.core.pipeline.HeaderNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The identity tokens sent upstream, reused per principal and audience while they are fresh, and
 * signed on the signing executor, never on an event loop: an RS256 signature takes about a
 * millisecond, which on a loop would stall every connection it serves.
 *
 * <p>A token is sent for at most {@code reuseFor} after it was signed. Once it is due for renewal,
 * the next request still gets it and a new one is signed in the background, so a principal with
 * steady traffic never waits for a signature; only a principal's first request, or one after the
 * token went stale unused, waits (the filter defers). A token comes due at a random point between
 * five and seven eighths of {@code reuseFor}: principals that arrived together (a replica starting
 * behind a busy balancer) would otherwise come due together every cycle, and 10,000 signatures at
 * once hold the signer for ten seconds. Not earlier, since every renewal of every active principal
 * costs a signature.
 *
 * <p>Keyed by the principal's identity: the verifiers' caches hand out the same principal instance
 * for a credential, so a repeat request finds its token with one lookup. Thread-safe; concurrent
 * requests needing the same principal's token for the same audience share one signature.
 */
final class IdentityTokens {
  private final Authentication.IdentityPropagation propagation;
  private final AsciiString header;
  private final boolean bearer;
  private final long reuseNanos;
  private final LongSupplier nanoClock;
  private final Cache<Principal, Issued> issued =
      EventLoopCaches.newBuilder().weakKeys().maximumSize(100_000).build();
  private final ConcurrentHashMap<Signing, CompletableFuture<AsciiString>> signing =
      new ConcurrentHashMap<>();
  private final PriorityBlockingQueue<Queued> queue =
      new PriorityBlockingQueue<>(64, (a, b) -> Long.signum(a.deadline - b.deadline));
  private final LongAdder signatures = new LongAdder();
  private final LongAdder waits = new LongAdder();

  IdentityTokens(Authentication.IdentityPropagation propagation, LongSupplier nanoClock) {
    this.propagation = propagation;
    this.header = HeaderNames.of(propagation.header());
    this.bearer = HttpHeaderNames.AUTHORIZATION.contentEqualsIgnoreCase(propagation.header());
    this.reuseNanos = propagation.reuseFor().toNanos();
    this.nanoClock = nanoClock;
  }

  AsciiString header() {
    return header;
  }

  /** The audience of an upstream's tokens; resolved once per route, not per request. */
  String audienceFor(String upstream) {
    return propagation.audienceForUpstream().apply(upstream);
  }

  /**
   * The header value carrying a fresh token for this principal and audience, or null when there is
   * none yet and the caller must wait for {@link #sign}. An {@link AsciiString}: the token is
   * several hundred bytes sent on every request, and Netty validates and encodes one as a byte copy
   * rather than character by character.
   */
  AsciiString headerValue(Principal principal, String audience) {
    for (Issued i = issued.getIfPresent(principal); i != null; i = i.next) {
      if (i.audience.equals(audience)) {
        long now = nanoClock.getAsLong();
        if (now - i.staleAt >= 0) {
          return null;
        }
        if (now - i.dueAt >= 0 && !i.renewing) {
          i.renewing = true;
          sign(principal, audience, i.staleAt);
        }
        return i.headerValue;
      }
    }
    return null;
  }

  /**
   * Signs a token for this principal and audience on the signing executor, for a request that waits
   * for it, or joins the signature already under way. Completes exceptionally if the issuer fails
   * or the executor is shut down.
   */
  CompletableFuture<AsciiString> sign(Principal principal, String audience) {
    waits.increment();
    return sign(principal, audience, nanoClock.getAsLong());
  }

  /** Tokens signed, requests that waited for a signature, and signatures queued now. */
  long[] counts() {
    return new long[] {signatures.sum(), waits.sum(), queue.size()};
  }

  /**
   * Queues a signature needed by {@code deadline}: a waiting request's is now, a renewal's when the
   * token it replaces goes stale. Each queued signature hands the executor one task that signs the
   * most urgent one queued, so the signer works earliest deadline first whatever order its own
   * queue keeps: after a burst of renewals, a principal's first request or a token about to go
   * stale does not wait behind renewals that have time.
   */
  private CompletableFuture<AsciiString> sign(Principal principal, String audience, long deadline) {
    Signing key = new Signing(principal, audience);
    CompletableFuture<AsciiString> pending = signing.get(key);
    if (pending != null) {
      return pending;
    }
    CompletableFuture<AsciiString> created = new CompletableFuture<>();
    pending = signing.putIfAbsent(key, created);
    if (pending != null) {
      return pending;
    }
    queue.add(new Queued(key, created, deadline));
    try {
      propagation.signer().execute(this::signMostUrgent);
    } catch (RejectedExecutionException e) {
      // Shut down: nothing queued will be signed.
      for (Queued q = queue.poll(); q != null; q = queue.poll()) {
        signing.remove(q.key, q.result);
        q.result.completeExceptionally(e);
      }
    }
    return created;
  }

  private void signMostUrgent() {
    Queued q = queue.poll();
    if (q != null) {
      signNow(q.key, q.result);
    }
  }

  private void signNow(Signing key, CompletableFuture<AsciiString> result) {
    try {
      long signedAt = nanoClock.getAsLong();
      String token = propagation.issuer().issue(key.principal, key.audience);
      AsciiString value = new AsciiString(bearer ? "Bearer " + token : token);
      long dueAfter = reuseNanos / 8 * 5 + ThreadLocalRandom.current().nextLong(reuseNanos / 4 + 1);
      issued
          .asMap()
          .compute(
              key.principal,
              (p, head) ->
                  new Issued(
                      key.audience,
                      value,
                      signedAt + dueAfter,
                      signedAt + reuseNanos,
                      without(head, key.audience)));
      signatures.increment();
      result.complete(value);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    } finally {
      signing.remove(key, result);
    }
  }

  private static Issued without(Issued head, String audience) {
    if (head == null) {
      return null;
    }
    Issued rest = without(head.next, audience);
    return head.audience.equals(audience)
        ? rest
        : new Issued(head.audience, head.headerValue, head.dueAt, head.staleAt, rest);
  }

  /** A signature under way; by value, so concurrent misses for one principal find each other. */
  private record Signing(Principal principal, String audience) {}

  private record Queued(Signing key, CompletableFuture<AsciiString> result, long deadline) {}

  /** One token per audience, as a short list: a principal rarely calls more than two upstreams. */
  private static final class Issued {
    final String audience;
    final AsciiString headerValue;
    final long dueAt;
    final long staleAt;
    final Issued next;

    /**
     * Set by the first request to find the token due for renewal. Unsynchronised: two loops racing
     * both ask for a signature, and {@link #sign} joins the second to the first.
     */
    boolean renewing;

    Issued(String audience, AsciiString headerValue, long dueAt, long staleAt, Issued next) {
      this.audience = audience;
      this.headerValue = headerValue;
      this.dueAt = dueAt;
      this.staleAt = staleAt;
      this.next = next;
    }
  }
}
