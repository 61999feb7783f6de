package dev.portcullis.auth.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.portcullis.core.pipeline.EventLoopCaches;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Revoked token ids in a Caffeine cache whose entries each expire with their token. Lookups answer
 * with one of two shared completed stages, so the hot path allocates nothing here.
 *
 * <p>Thread-safe (Caffeine). Time comes from the injected clock, also as Caffeine's ticker, so
 * tests drive expiry.
 */
final class InMemoryTokenRevocations implements TokenRevocations {
  static final CompletionStage<Boolean> REVOKED = CompletableFuture.completedStage(Boolean.TRUE);
  static final CompletionStage<Boolean> NOT_REVOKED =
      CompletableFuture.completedStage(Boolean.FALSE);
  private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  private final Cache<String, Instant> revoked;
  private final Clock clock;

  InMemoryTokenRevocations(Clock clock) {
    this.clock = clock;
    this.revoked =
        EventLoopCaches.newBuilder()
            .ticker(() -> clock.millis() * 1_000_000L)
            .expireAfter(
                new Expiry<String, Instant>() {
                  @Override
                  public long expireAfterCreate(String jti, Instant expiresAt, long now) {
                    return Math.max(0, expiresAt.toEpochMilli() - clock.millis()) * 1_000_000L;
                  }

                  @Override
                  public long expireAfterUpdate(
                      String jti, Instant expiresAt, long now, long remaining) {
                    return expireAfterCreate(jti, expiresAt, now);
                  }

                  @Override
                  public long expireAfterRead(
                      String jti, Instant expiresAt, long now, long remaining) {
                    return remaining;
                  }
                })
            .build();
  }

  /** Records locally; true when the token has not expired yet. */
  boolean remember(String jti, Instant expiresAt) {
    if (!expiresAt.isAfter(clock.instant())) {
      return false;
    }
    revoked.put(jti, expiresAt);
    return true;
  }

  boolean knows(String jti) {
    return revoked.getIfPresent(jti) != null;
  }

  @Override
  public CompletionStage<Void> revoke(String jti, Instant expiresAt) {
    remember(jti, expiresAt);
    return DONE;
  }

  @Override
  public CompletionStage<Boolean> isRevoked(String jti) {
    return knows(jti) ? REVOKED : NOT_REVOKED;
  }

  @Override
  public void close() {
    revoked.invalidateAll();
  }
}
