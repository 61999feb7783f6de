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
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * What the validation cache knows about one presented key (by its hash): either a refusal, or a
 * valid key with its principal, the instant its validity ends and where it may be used from. Every
 * verdict it can give is built once, as a completed stage, so a cache hit allocates nothing here.
 *
 * <p>Immutable but for the last-used flag and the refresh time; safe to share between threads.
 */
final class CachedKey {
  private static final AtomicLongFieldUpdater<CachedKey> REFRESH_AT =
      AtomicLongFieldUpdater.newUpdater(CachedKey.class, "refreshAtMillis");

  private final String keyId;
  private final boolean valid;
  private final CompletionStage<AuthVerdict> verdict;
  private final CompletionStage<AuthVerdict> expired;
  private final CompletionStage<AuthVerdict> ipRefused;
  private final long validUntilMillis;
  private final Cidr[] allowed;
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile long refreshAtMillis;

  private CachedKey(
      String keyId,
      boolean valid,
      AuthVerdict verdict,
      String subject,
      long validUntilMillis,
      long refreshAtMillis,
      Cidr[] allowed) {
    this.keyId = keyId;
    this.refreshAtMillis = refreshAtMillis;
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
        keyId,
        false,
        new AuthVerdict.Rejected(failure, keyId, subject),
        subject,
        0,
        Long.MAX_VALUE,
        new Cidr[0]);
  }

  /**
   * @param refreshAtMillis when a request that finds this entry should have it read again from the
   *     store, in the background
   */
  static CachedKey valid(
      Principal principal, long validUntilMillis, long refreshAtMillis, List<String> allowedCidrs) {
    Cidr[] allowed = allowedCidrs.stream().map(Cidr::parse).toArray(Cidr[]::new);
    return new CachedKey(
        principal.credentialId(),
        true,
        new AuthVerdict.Authenticated(principal),
        principal.subject(),
        validUntilMillis,
        refreshAtMillis,
        allowed);
  }

  /**
   * True for the one caller that is to refresh this entry now; the next chance comes {@code
   * retryMillis} later, in case this refresh fails (a store that is down is not asked by every
   * request). Refusals are never refreshed.
   */
  boolean claimRefresh(long nowMillis, long retryMillis) {
    long due = refreshAtMillis;
    return nowMillis - due >= 0 && REFRESH_AT.compareAndSet(this, due, nowMillis + retryMillis);
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
