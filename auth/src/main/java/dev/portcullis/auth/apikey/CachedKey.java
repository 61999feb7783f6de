package dev.portcullis.auth.apikey;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.net.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the validation cache knows about one presented key (by its hash): either a refusal, or a
 * valid key with its principal, the instant its validity ends and where it may be used from. Every
 * verdict it can give is built once, as a completed stage, so a cache hit allocates nothing here.
 *
 * <p>Immutable but for the last-used flag; safe to share between threads.
 */
final class CachedKey {
  private final String keyId;
  private final boolean valid;
  private final CompletionStage<AuthVerdict> verdict;
  private final CompletionStage<AuthVerdict> expired;
  private final CompletionStage<AuthVerdict> ipRefused;
  private final long validUntilMillis;
  private final Cidr[] allowed;
  private final AtomicBoolean queued = new AtomicBoolean();

  private CachedKey(
      String keyId,
      boolean valid,
      AuthVerdict verdict,
      String subject,
      long validUntilMillis,
      Cidr[] allowed) {
    this.keyId = keyId;
    this.valid = valid;
    this.verdict = CompletableFuture.completedStage(verdict);
    this.expired =
        valid
            ? CompletableFuture.completedStage(
                new AuthVerdict.Rejected(AuthFailure.EXPIRED, keyId, subject))
            : null;
    this.ipRefused =
        valid && allowed.length > 0
            ? CompletableFuture.completedStage(
                new AuthVerdict.Rejected(AuthFailure.IP_NOT_ALLOWED, keyId, subject))
            : null;
    this.validUntilMillis = validUntilMillis;
    this.allowed = allowed;
  }

  static CachedKey refused(AuthFailure failure, String keyId, String subject) {
    return new CachedKey(
        keyId, false, new AuthVerdict.Rejected(failure, keyId, subject), subject, 0, new Cidr[0]);
  }

  static CachedKey valid(Principal principal, long validUntilMillis, List<String> allowedCidrs) {
    Cidr[] allowed = allowedCidrs.stream().map(Cidr::parse).toArray(Cidr[]::new);
    return new CachedKey(
        principal.credentialId(),
        true,
        new AuthVerdict.Authenticated(principal),
        principal.subject(),
        validUntilMillis,
        allowed);
  }

  String keyId() {
    return keyId;
  }

  boolean isValid() {
    return valid;
  }

  CompletionStage<AuthVerdict> verdict(InetAddress client, long nowMillis, LastUsedBatch lastUsed) {
    if (!valid) {
      return verdict;
    }
    if (nowMillis >= validUntilMillis) {
      return expired;
    }
    if (allowed.length > 0 && !allowedFrom(client)) {
      return ipRefused;
    }
    lastUsed.add(this);
    return verdict;
  }

  private boolean allowedFrom(InetAddress client) {
    if (client == null) {
      return false;
    }
    for (Cidr cidr : allowed) {
      if (cidr.contains(client)) {
        return true;
      }
    }
    return false;
  }

  boolean markQueued() {
    return !queued.get() && queued.compareAndSet(false, true);
  }

  void clearQueued() {
    queued.set(false);
  }
}
