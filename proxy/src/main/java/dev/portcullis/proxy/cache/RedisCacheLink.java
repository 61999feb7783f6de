package dev.portcullis.proxy.cache;

import dev.portcullis.core.config.CacheConfig;
import dev.portcullis.core.pipeline.GatewayResponse;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's Redis: shared (L2) entries and the invalidation channel every replica subscribes to.
 * All calls are Lettuce async; nothing here blocks an event loop.
 *
 * <p>Entries live under {@code portcullis:cache:e:<sha256 of the key>} (the key holds principal
 * ids, which Redis need not see), serialised with deflated bodies, expiring with the end of their
 * stale-if-error window. Sets index them by exact path, by every ancestor path and by route, so a
 * write or a purge finds what to delete without scanning the keyspace; an index set lives as long
 * as its longest member can.
 *
 * <p>While Redis is down, reads miss, writes and publications are dropped, and each replica keeps
 * its own L1 correct for the writes it sees itself.
 */
final class RedisCacheLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisCacheLink.class);
  static final String CHANNEL = "portcullis:cache:invalidate";
  private static final String ENTRY = "portcullis:cache:e:";
  static final String BY_PATH = "portcullis:cache:path:";
  private static final String BY_ANCESTOR = "portcullis:cache:below:";
  private static final String BY_ROUTE = "portcullis:cache:route:";
  private static final byte FORMAT = 1;

  private final CacheConfig.Redis config;
  private final ResponseCache cache;
  private final String instance = UUID.randomUUID().toString();
  private final RedisClient client;
  private final CompletableFuture<StatefulRedisConnection<String, byte[]>> entries;
  private final CompletableFuture<StatefulRedisConnection<String, String>> commands;
  private final CompletableFuture<StatefulRedisPubSubConnection<String, String>> subscription;

  private RedisCacheLink(CacheConfig.Redis config, ResponseCache cache) {
    this.config = config;
    this.cache = cache;
    this.client = RedisClient.create();
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    RedisURI uri = RedisURI.create(config.uri().reveal());
    uri.setTimeout(config.timeout());
    this.entries =
        client
            .connectAsync(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), uri)
            .toCompletableFuture();
    this.commands = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
    this.subscription =
        client
            .connectPubSubAsync(StringCodec.UTF8, uri)
            .toCompletableFuture()
            .thenCompose(
                pubsub -> {
                  pubsub.addListener(
                      new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                          received(message);
                        }
                      });
                  return pubsub.async().subscribe(CHANNEL).thenApply(ok -> pubsub);
                });
    subscription.exceptionally(
        e -> {
          log.warn("cache: cannot subscribe to Redis invalidations: {}", e.toString());
          return null;
        });
  }

  static RedisCacheLink connect(CacheConfig.Redis config, ResponseCache cache) {
    return new RedisCacheLink(config, cache);
  }

  boolean l2() {
    return config.l2();
  }

  /** Completes once connected and subscribed to the other replicas' invalidations. */
  CompletableFuture<?> ready() {
    return CompletableFuture.allOf(entries, commands, subscription);
  }

  // ---- entries ----

  CompletableFuture<CachedEntry> get(String key) {
    StatefulRedisConnection<String, byte[]> connection = entries.getNow(null);
    if (connection == null) {
      return CompletableFuture.completedFuture(null);
    }
    return connection
        .async()
        .get(ENTRY + digest(key))
        .toCompletableFuture()
        .thenApply(bytes -> bytes == null ? null : decode(bytes))
        .completeOnTimeout(null, config.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(
            e -> {
              log.debug("cache: L2 read failed: {}", e.toString());
              return null;
            });
  }

  void put(String key, CachedEntry entry, long ttlMillis) {
    StatefulRedisConnection<String, byte[]> connection = entries.getNow(null);
    StatefulRedisConnection<String, String> index = commands.getNow(null);
    if (connection == null || index == null || ttlMillis <= 0) {
      return;
    }
    String entryKey = ENTRY + digest(key);
    connection.async().set(entryKey, encode(entry), SetArgs.Builder.px(ttlMillis));
    List<String> sets = new ArrayList<>();
    sets.add(BY_PATH + entry.path());
    sets.add(BY_ROUTE + entry.route());
    for (String ancestor : CacheStore.parentPaths(entry.path(), 64)) {
      sets.add(BY_ANCESTOR + ancestor);
    }
    for (String set : sets) {
      index.async().sadd(set, entryKey);
      // GT keeps the longest lifetime of any member, so the set outlives every entry it names.
      index.async().pexpire(set, ttlMillis, io.lettuce.core.ExpireArgs.Builder.gt());
      index.async().pexpire(set, ttlMillis, io.lettuce.core.ExpireArgs.Builder.nx());
    }
  }

  /**
   * Deletes the shared entries the index sets name, and the sets, then publishes {@code message}: a
   * replica that drops its L1 copy on it must not find the entry in L2 again.
   */
  private void deleteIndexedThenPublish(List<String> sets, String message) {
    StatefulRedisConnection<String, String> index = commands.getNow(null);
    if (index == null || !config.l2()) {
      publish(message);
      return;
    }
    String[] keys = sets.toArray(new String[0]);
    index
        .async()
        .sunion(keys)
        .thenCompose(
            members -> {
              String[] doomed = new String[members.size() + keys.length];
              members.toArray(doomed);
              System.arraycopy(keys, 0, doomed, members.size(), keys.length);
              return index.async().unlink(doomed);
            })
        .whenComplete(
            (deleted, error) -> {
              if (error != null) {
                log.warn("cache: L2 invalidation failed: {}", error.toString());
              }
              publish(message);
            });
  }

  // ---- invalidation between replicas ----

  void publishInvalidation(String path, int parents) {
    List<String> sets = new ArrayList<>();
    sets.add(BY_PATH + path);
    sets.add(BY_ANCESTOR + path);
    for (String parent : CacheStore.parentPaths(path, parents)) {
      sets.add(BY_PATH + parent);
    }
    deleteIndexedThenPublish(sets, "path\n" + parents + "\n" + path);
  }

  void publishPurge(String kind, String value) {
    deleteIndexedThenPublish(
        kind.equals("route")
            ? List.of(BY_ROUTE + value)
            : List.of(BY_PATH + value, BY_ANCESTOR + value),
        kind + "\n0\n" + value);
  }

  private void publish(String body) {
    StatefulRedisConnection<String, String> connection = commands.getNow(null);
    if (connection == null) {
      log.warn("cache: Redis not connected; an invalidation reached only this replica");
      return;
    }
    connection.async().publish(CHANNEL, instance + "\n" + body);
  }

  private void received(String message) {
    String[] parts = message.split("\n", 4);
    if (parts.length != 4 || parts[0].equals(instance)) {
      return; // our own, applied already
    }
    try {
      switch (parts[1]) {
        case "path" -> cache.invalidatedElsewhere(parts[3], Integer.parseInt(parts[2]));
        case "route", "prefix" -> cache.purgedElsewhere(parts[1], parts[3]);
        default -> log.debug("cache: unknown invalidation kind {}", parts[1]);
      }
    } catch (RuntimeException e) {
      log.warn("cache: bad invalidation message: {}", e.toString());
    }
  }

  // ---- serialisation ----

  private static String digest(String key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  byte[] encode(CachedEntry entry) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + entry.response().body().length);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      out.writeUTF(entry.path());
      out.writeUTF(entry.route());
      out.writeShort(entry.response().status().code());
      out.writeLong(entry.storedAt());
      out.writeLong(entry.ageAtStore());
      out.writeLong(entry.freshUntil());
      out.writeLong(entry.staleWhileRevalidateUntil());
      out.writeLong(entry.staleIfErrorUntil());
      writeNullable(out, entry.etag());
      writeNullable(out, entry.lastModified());
      HttpHeaders headers = entry.response().headers();
      out.writeInt(headers.size());
      for (Map.Entry<String, String> h : headers) {
        out.writeUTF(h.getKey());
        out.writeUTF(h.getValue());
      }
      byte[] body = entry.response().body();
      out.writeInt(body.length);
      out.writeBoolean(config.compression());
      if (config.compression()) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        deflater.setInput(body);
        deflater.finish();
        byte[] chunk = new byte[8192];
        ByteArrayOutputStream packed = new ByteArrayOutputStream(body.length / 2 + 64);
        while (!deflater.finished()) {
          packed.write(chunk, 0, deflater.deflate(chunk));
        }
        deflater.end();
        out.writeInt(packed.size());
        packed.writeTo(out);
      } else {
        out.write(body);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e); // a byte array stream does not fail
    }
  }

  CachedEntry decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readByte() != FORMAT) {
        return null; // written by another version: a miss
      }
      String path = in.readUTF();
      String route = in.readUTF();
      HttpResponseStatus status = HttpResponseStatus.valueOf(in.readShort());
      long storedAt = in.readLong();
      long ageAtStore = in.readLong();
      long freshUntil = in.readLong();
      long swrUntil = in.readLong();
      long sieUntil = in.readLong();
      String etag = readNullable(in);
      String lastModified = readNullable(in);
      HttpHeaders headers = new DefaultHttpHeaders();
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        headers.add(in.readUTF(), in.readUTF());
      }
      byte[] body = new byte[in.readInt()];
      if (in.readBoolean()) {
        byte[] packed = new byte[in.readInt()];
        in.readFully(packed);
        Inflater inflater = new Inflater();
        inflater.setInput(packed);
        int n = 0;
        while (n < body.length && !inflater.finished()) {
          n += inflater.inflate(body, n, body.length - n);
        }
        inflater.end();
      } else {
        in.readFully(body);
      }
      return new CachedEntry(
          path,
          route,
          new GatewayResponse(status, headers, body),
          storedAt,
          ageAtStore,
          freshUntil,
          swrUntil,
          sieUntil,
          etag,
          lastModified,
          CachedEntry.NO_VARY,
          "");
    } catch (IOException | DataFormatException | RuntimeException e) {
      log.debug("cache: unreadable L2 entry: {}", e.toString());
      return null;
    }
  }

  private static void writeNullable(DataOutputStream out, String value) throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      out.writeUTF(value);
    }
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  @Override
  public void close() {
    client.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
