package dev.portcullis.auth.apikey;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the other replicas that a key changed (revoked or rotated), so each drops it from its
 * validation cache: Redis pub/sub on one channel, the message being the key id (not secret).
 * Pub/sub delivers in well under a second; a replica cut off from Redis misses messages and keeps a
 * stale valid entry for at most the valid TTL, which is the price of not asking the store on every
 * request.
 *
 * <p>Threading: {@link #publish} is asynchronous and never blocks; the listener runs on Lettuce's
 * I/O thread and must be quick (it only touches the cache). Lettuce reconnects and resubscribes on
 * its own.
 */
final class RevocationBus implements AutoCloseable {
  static final String CHANNEL = "portcullis:api-keys:changed";
  private static final Logger log = LoggerFactory.getLogger(RevocationBus.class);

  private final RedisClient client;
  private final StatefulRedisPubSubConnection<String, String> subscription;
  private final StatefulRedisConnection<String, String> publisher;

  private RevocationBus(
      RedisClient client,
      StatefulRedisPubSubConnection<String, String> subscription,
      StatefulRedisConnection<String, String> publisher) {
    this.client = client;
    this.subscription = subscription;
    this.publisher = publisher;
  }

  /**
   * Subscribes before returning, so a revocation published after this returns is seen.
   *
   * @throws IllegalStateException when Redis cannot be reached (the message has no credentials)
   */
  static RevocationBus connect(String uri, Consumer<String> onChanged) {
    RedisURI redisUri = RedisURI.create(uri);
    redisUri.setTimeout(Duration.ofSeconds(2));
    RedisClient client = RedisClient.create(redisUri);
    try {
      StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
      sub.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String keyId) {
              if (CHANNEL.equals(channel)) {
                onChanged.accept(keyId);
              }
            }
          });
      sub.sync().subscribe(CHANNEL);
      return new RevocationBus(client, sub, client.connect());
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw new IllegalStateException(
          "auth.api_keys.redis_uri: cannot subscribe to revocations ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    }
  }

  void publish(String keyId) {
    publisher
        .async()
        .publish(CHANNEL, keyId)
        .whenComplete(
            (receivers, error) -> {
              if (error != null) {
                log.warn(
                    "publishing the change of key {} failed; other replicas drop it from their cache within the valid TTL: {}",
                    keyId,
                    error.toString());
              }
            });
  }

  @Override
  public void close() {
    subscription.close();
    publisher.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
