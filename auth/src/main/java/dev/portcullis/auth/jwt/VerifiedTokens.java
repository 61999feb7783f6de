package dev.portcullis.auth.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.core.pipeline.EventLoopCaches;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Tokens that passed full verification, so a client presenting the same token again (the normal
 * case: a token is used for many requests) costs a SHA-256 and a cache lookup instead of a jjwt
 * parse and a signature check (tens of microseconds and ~45 KB of garbage per token).
 *
 * <p>An entry lives until its token's {@code exp} plus the skew, and at most {@link
 * #MAX_AGE_MINUTES} minutes, so a key withdrawn from the issuer's JWKS stops being trusted within
 * that time. Time comes from the injected clock (also Caffeine's ticker). The revocation list is
 * still asked on every use.
 *
 * <p>Keyed by the token's SHA-256 compared in constant time, not by the token itself: a cache
 * probed with near-copies of a valid token must not reveal, through {@code String.equals} timing,
 * how much of it matched.
 *
 * <p>Thread-safe (Caffeine).
 */
final class VerifiedTokens {
  static final int MAX_AGE_MINUTES = 5;
  private static final int MAX_ENTRIES = 100_000;
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  /** A verified token: its verdict (and the completed stage answering it), id and subject. */
  record Entry(
      AuthVerdict.Authenticated verdict,
      CompletionStage<AuthVerdict> answer,
      String jti,
      long validUntilMillis) {}

  private final Cache<Digest, Entry> entries;
  private final Clock clock;

  VerifiedTokens(Clock clock) {
    this.clock = clock;
    long maxAgeNanos = TimeUnit.MINUTES.toNanos(MAX_AGE_MINUTES);
    this.entries =
        EventLoopCaches.newBuilder()
            .maximumSize(MAX_ENTRIES)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfter(
                new Expiry<Digest, Entry>() {
                  @Override
                  public long expireAfterCreate(Digest key, Entry entry, long now) {
                    long left =
                        TimeUnit.MILLISECONDS.toNanos(entry.validUntilMillis - clock.millis());
                    return Math.max(0, Math.min(left, maxAgeNanos));
                  }

                  @Override
                  public long expireAfterUpdate(Digest key, Entry entry, long now, long remaining) {
                    return expireAfterCreate(key, entry, now);
                  }

                  @Override
                  public long expireAfterRead(Digest key, Entry entry, long now, long remaining) {
                    return remaining;
                  }
                })
            .build();
  }

  /** The entry of a token verified before and not expired since, or null. */
  Entry find(String compact) {
    Entry entry = entries.getIfPresent(Digest.of(compact));
    // Caffeine expires lazily at its ticker's resolution: check the deadline itself.
    return entry != null && clock.millis() <= entry.validUntilMillis ? entry : null;
  }

  Entry remember(
      String compact, AuthVerdict.Authenticated verdict, String jti, long validUntilMillis) {
    Entry entry =
        new Entry(verdict, CompletableFuture.completedStage(verdict), jti, validUntilMillis);
    entries.put(Digest.of(compact), entry);
    return entry;
  }

  /** A SHA-256 of a token; equality in constant time. */
  private static final class Digest {
    private final byte[] bytes;
    private final int hash;

    private Digest(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    static Digest of(String compact) {
      return new Digest(SHA256.get().digest(compact.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Digest d && MessageDigest.isEqual(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
