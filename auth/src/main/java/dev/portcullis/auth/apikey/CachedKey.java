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
 * <p>Immutable but for the last-used flag and the refresh time; safe to share between threads. The
 * refresh time is read and moved only by the last-used flusher, which finds the entry through
 * {@link LastUsedBatch}.
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
  private final ApiKeyType type;
  private final Digest digest;
  private long refreshAtMillis;

  private CachedKey(
      String keyId,
      boolean valid,
      AuthVerdict verdict,
      String subject,
      long validUntilMillis,
      ApiKeyType type,
      Digest digest,
      long refreshAtMillis,
      Cidr[] allowed) {
    this.keyId = keyId;
    this.type = type;
    this.digest = digest;
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
        null,
        null,
        Long.MAX_VALUE,
        new Cidr[0]);
  }

  /**
   * @param type and {@code digest}: what reading the key again from the store takes
   * @param refreshAtMillis from when the entry, if still in use, is read again from the store
   */
  static CachedKey valid(
      ApiKeyType type,
      Digest digest,
      Principal principal,
      long validUntilMillis,
      long refreshAtMillis,
      List<String> allowedCidrs) {
    Cidr[] allowed = allowedCidrs.stream().map(Cidr::parse).toArray(Cidr[]::new);
    return new CachedKey(
        principal.credentialId(),
        true,
        new AuthVerdict.Authenticated(principal),
        principal.subject(),
        validUntilMillis,
        type,
        digest,
        refreshAtMillis,
        allowed);
  }

  ApiKeyType type() {
    return type;
  }

  Digest digest() {
    return digest;
  }

  /** Refusals are never refreshed: they expire after the short invalid TTL. */
  boolean refreshDue(long nowMillis) {
    return valid && nowMillis - refreshAtMillis >= 0;
  }

  /** A refresh that could not read the store is tried again from {@code retryAtMillis}. */
  void refreshFailed(long retryAtMillis) {
    refreshAtMillis = retryAtMillis;
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
