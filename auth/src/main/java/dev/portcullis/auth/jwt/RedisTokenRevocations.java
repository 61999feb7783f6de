package dev.portcullis.auth.jwt;

import dev.portcullis.core.config.Secret;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Revoked token ids shared through Redis: one key per {@code jti}, {@code
 * portcullis:jwt:revoked:<jti>}, with a TTL equal to the token's remaining life, so Redis drops it
 * when the token could no longer be presented anyway.
 *
 * <p>Hot path: a revocation this replica has seen (revoked here, or read from Redis once) answers
 * from the local {@link InMemoryTokenRevocations} with a completed stage; any other {@code jti} is
 * one asynchronous {@code PTTL} through Lettuce, whose stage completes on a Lettuce thread. A
 * negative answer is not cached, so a revocation made on another replica counts from its next
 * request on.
 *
 * <p>Threading: Lettuce commands are thread-safe and never block the caller. Commands are rejected,
 * not queued, while disconnected, so a check fails fast (and the token is answered {@code
 * Unavailable}) instead of waiting; the connection is retried at most once a second.
 */
final class RedisTokenRevocations implements TokenRevocations {
  private static final String PREFIX = "portcullis:jwt:revoked:";
  private static final long RECONNECT_EVERY_MILLIS = 1000;
  private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  private final RedisClient client;
  private final RedisURI uri;
  private final InMemoryTokenRevocations local;
  private final Clock clock;
  private volatile CompletableFuture<StatefulRedisConnection<String, String>> connection;
  private volatile long lastConnectMillis;

  private RedisTokenRevocations(RedisClient client, RedisURI uri, Clock clock) {
    this.client = client;
    this.uri = uri;
    this.clock = clock;
    this.local = new InMemoryTokenRevocations(clock);
  }

  static RedisTokenRevocations connect(Secret uriSecret, Duration timeout, Clock clock) {
    RedisURI uri = RedisURI.create(uriSecret.reveal());
    uri.setTimeout(timeout);
    RedisClient client = RedisClient.create();
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .build());
    RedisTokenRevocations revocations = new RedisTokenRevocations(client, uri, clock);
    revocations.commands();
    return revocations;
  }

  private CompletionStage<RedisAsyncCommands<String, String>> commands() {
    CompletableFuture<StatefulRedisConnection<String, String>> current = connection;
    if (current == null
        || (current.isCompletedExceptionally()
            && clock.millis() - lastConnectMillis >= RECONNECT_EVERY_MILLIS)) {
      synchronized (this) {
        if (connection == current) {
          lastConnectMillis = clock.millis();
          connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        }
        current = connection;
      }
    }
    return current.thenApply(StatefulRedisConnection::async);
  }

  @Override
  public CompletionStage<Void> revoke(String jti, Instant expiresAt) {
    if (!local.remember(jti, expiresAt)) {
      return DONE;
    }
    long ttlMillis = Math.max(1, expiresAt.toEpochMilli() - clock.millis());
    return commands()
        .thenCompose(redis -> redis.set(PREFIX + jti, "1", SetArgs.Builder.px(ttlMillis)))
        .thenApply(ok -> null);
  }

  @Override
  public CompletionStage<Boolean> isRevoked(String jti) {
    if (local.knows(jti)) {
      return InMemoryTokenRevocations.REVOKED;
    }
    return commands()
        .thenCompose(redis -> redis.pttl(PREFIX + jti))
        .thenApply(
            pttl -> {
              if (pttl == -2) {
                return Boolean.FALSE;
              }
              // -1 (no TTL) is not written by the gateway; it still means revoked.
              local.remember(jti, Instant.ofEpochMilli(clock.millis() + Math.max(pttl, 1000)));
              return Boolean.TRUE;
            });
  }

  @Override
  public void close() {
    CompletableFuture<StatefulRedisConnection<String, String>> current = connection;
    if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
      current.join().close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    local.close();
  }
}
