package dev.portcullis.auth.filter;

import com.github.benmanes.caffeine.cache.Cache;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.EventLoopCaches;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.function.LongSupplier;

/**
 * The identity tokens sent upstream, reused per principal and audience while they are fresh. Keyed
 * by the principal's identity: the verifiers' caches hand out the same principal instance for a
 * credential, so a repeat request finds its token with one lookup and signs nothing.
 *
 * <p>Thread-safe. Two requests racing on a miss may both sign; the later token wins, both are
 * valid.
 */
final class IdentityTokens {
  private final Authentication.IdentityPropagation propagation;
  private final AsciiString header;
  private final boolean bearer;
  private final long reuseNanos;
  private final LongSupplier nanoClock;
  private final Cache<Principal, Issued> issued =
      EventLoopCaches.newBuilder().weakKeys().maximumSize(100_000).build();

  IdentityTokens(Authentication.IdentityPropagation propagation, LongSupplier nanoClock) {
    this.propagation = propagation;
    this.header = AsciiString.of(propagation.header());
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
   * The header value carrying a token for this principal and audience. An {@link AsciiString}: the
   * token is several hundred bytes sent on every request, and Netty validates and encodes one as a
   * byte copy rather than character by character.
   */
  AsciiString headerValue(Principal principal, String audience) {
    long now = nanoClock.getAsLong();
    Issued head = issued.getIfPresent(principal);
    for (Issued i = head; i != null; i = i.next) {
      if (i.audience.equals(audience) && now - i.refreshAt < 0) {
        return i.headerValue;
      }
    }
    String token = propagation.issuer().issue(principal, audience);
    AsciiString value = new AsciiString(bearer ? "Bearer " + token : token);
    issued.put(principal, new Issued(audience, value, now + reuseNanos, without(head, audience)));
    return value;
  }

  private static Issued without(Issued head, String audience) {
    if (head == null) {
      return null;
    }
    Issued rest = without(head.next, audience);
    return head.audience.equals(audience)
        ? rest
        : new Issued(head.audience, head.headerValue, head.refreshAt, rest);
  }

  /** One token per audience, as a short list: a principal rarely calls more than two upstreams. */
  private record Issued(String audience, AsciiString headerValue, long refreshAt, Issued next) {}
}
