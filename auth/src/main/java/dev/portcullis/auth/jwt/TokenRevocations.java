package dev.portcullis.auth.jwt;

import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.config.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The revoked token ids ({@code jti}) of tokens that have not expired yet. An entry lives exactly
 * as long as its token could still be presented, so the list never grows beyond the tokens revoked
 * within one token lifetime.
 *
 * <p>Thread-safe. {@link #isRevoked} is on the hot path: an answer known locally is an
 * already-completed stage; a shared list is asked asynchronously and never blocks the caller.
 */
public interface TokenRevocations extends AutoCloseable {

  /**
   * Revokes a token until it expires; a token already expired needs no entry.
   *
   * @param jti the token id
   * @param expiresAt the token's {@code exp}
   * @return completes once the revocation is recorded (shared with every replica for Redis)
   */
  CompletionStage<Void> revoke(String jti, Instant expiresAt);

  /**
   * Whether the token id was revoked. Completes exceptionally when the shared list cannot be read;
   * the validator then answers {@code Unavailable} rather than accepting a maybe-revoked token.
   */
  CompletionStage<Boolean> isRevoked(String jti);

  @Override
  void close();

  /** How long a Redis revocation lookup may take before the token is answered unavailable. */
  Duration REDIS_TIMEOUT = Duration.ofMillis(250);

  /** Redis when {@code auth.jwt.revocation_redis_uri} is set, else in memory. */
  static TokenRevocations forConfig(JwtConfig config, Clock clock) {
    return config.revocationRedisUri() == null
        ? inMemory(clock)
        : redis(config.revocationRedisUri(), REDIS_TIMEOUT, clock);
  }

  /** In this process only: for a single replica, or without Redis. */
  static TokenRevocations inMemory(Clock clock) {
    return new InMemoryTokenRevocations(clock);
  }

  /**
   * Shared through Redis, with each revocation seen by this replica remembered locally.
   *
   * @param uri {@code redis://}, {@code rediss://} or {@code redis-sentinel://}
   * @param timeout how long one Redis command may take before the check counts as failed
   */
  static TokenRevocations redis(Secret uri, Duration timeout, Clock clock) {
    return RedisTokenRevocations.connect(uri, timeout, clock);
  }
}
