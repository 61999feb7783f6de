package dev.portcullis.ratelimit.cluster;

import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.RateLimitsConfig.Algorithm;
import dev.portcullis.ratelimit.algorithm.RateLimitDecision;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide limits in Redis: one Lua script per algorithm, loaded once with SCRIPT LOAD and
 * called with EVALSHA (loaded again on NOSCRIPT, for example after a Redis restart), each using
 * Redis server time so replicas need no clock agreement. Key names carry a hash tag around the
 * limiter key, so each script touches one slot and works on Redis Cluster.
 *
 * <p>Threading: calls are asynchronous through Lettuce and never block the caller; the returned
 * stage completes on a Lettuce thread. A call slower than the configured timeout fails, and
 * failures feed a {@link RedisCircuitBreaker}; while it is open {@link #acquire} fails at once with
 * {@link RedisUnavailableException} so the caller applies its fail mode without waiting.
 */
public final class RedisRateLimiter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final String KEY_PREFIX = "portcullis:rl:{";

  private static final long CONNECT_AT_START_SECONDS = 2;

  private final AutoCloseable client;
  private final Supplier<CompletionStage<Connected>> connector;
  private final AtomicReference<CompletableFuture<Connected>> connecting = new AtomicReference<>();
  private volatile Connected connected;
  private volatile LongConsumer latencyObserver = nanos -> {};
  private final Map<Algorithm, Script> scripts = new EnumMap<>(Algorithm.class);
  private final long timeoutNanos;
  private final RedisCircuitBreaker breaker;

  /** The script text and its SHA once loaded (volatile: loaded again after NOSCRIPT). */
  private static final class Script {
    final String source;
    volatile String sha;

    Script(String source) {
      this.source = source;
    }
  }

  /** An open connection and the commands issued on it. */
  private record Connected(
      AutoCloseable connection, RedisScriptingAsyncCommands<String, String> commands) {}

  private RedisRateLimiter(
      AutoCloseable client,
      Supplier<CompletionStage<Connected>> connector,
      RateLimitsConfig.Redis config) {
    this.client = client;
    this.connector = connector;
    this.timeoutNanos = config.timeout().toNanos();
    this.breaker =
        new RedisCircuitBreaker(
            config.breakerFailures(), config.breakerOpenFor().toNanos(), System::nanoTime);
    for (Algorithm algorithm : Algorithm.values()) {
      scripts.put(algorithm, new Script(load(algorithm.yamlName() + ".lua")));
    }
  }

  /**
   * Connects to the configured Redis: {@code redis://} or {@code rediss://} for one server, {@code
   * redis-sentinel://} for Sentinel, a comma-separated list of {@code redis://} nodes for Cluster.
   * Commands are rejected, not queued, while disconnected: a queued limiter call would take a
   * permit long after its request was answered. Reconnection backs off from 10 ms to 1 s so limits
   * are enforced cluster-wide again soon after Redis is back.
   *
   * <p>A Redis that cannot be reached at start does not stop the gateway: calls fail (and the
   * policy's fail mode applies) until a later connection attempt, paced by the circuit breaker,
   * succeeds.
   */
  public static RedisRateLimiter connect(RateLimitsConfig.Redis config) {
    String uri = config.uri().reveal();
    Duration timeout = config.timeout();
    ClientResources resources =
        DefaultClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    RedisRateLimiter limiter;
    if (uri.contains(",")) {
      List<RedisURI> nodes = new ArrayList<>();
      for (String node : uri.split(",")) {
        RedisURI redisUri = RedisURI.create(node.trim());
        redisUri.setTimeout(timeout);
        nodes.add(redisUri);
      }
      RedisClusterClient client = RedisClusterClient.create(resources, nodes);
      client.setOptions(
          ClusterClientOptions.builder()
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .build());
      limiter =
          new RedisRateLimiter(
              () -> {
                client.shutdown();
                resources.shutdown();
              },
              () ->
                  client.connectAsync(StringCodec.UTF8).thenApply(c -> new Connected(c, c.async())),
              config);
    } else {
      RedisURI redisUri = RedisURI.create(uri);
      redisUri.setTimeout(timeout);
      RedisClient client = RedisClient.create(resources);
      client.setOptions(
          ClientOptions.builder()
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .build());
      limiter =
          new RedisRateLimiter(
              () -> {
                client.shutdown();
                resources.shutdown();
              },
              () ->
                  client
                      .connectAsync(StringCodec.UTF8, redisUri)
                      .thenApply(c -> new Connected(c, c.async())),
              config);
    }
    try {
      limiter
          .startConnecting()
          .toCompletableFuture()
          .get(CONNECT_AT_START_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn(
          "Redis for rate limiting unreachable at start ({}); cluster limits follow their fail mode"
              + " until it is",
          describe(e));
    }
    return limiter;
  }

  /** Starts one connection attempt unless one is under way; completes when it ends. */
  private CompletionStage<Connected> startConnecting() {
    CompletableFuture<Connected> attempt = new CompletableFuture<>();
    if (!connecting.compareAndSet(null, attempt)) {
      CompletableFuture<Connected> running = connecting.get();
      return running != null
          ? running
          : CompletableFuture.failedFuture(new RedisUnavailableException("connecting"));
    }
    connector
        .get()
        .whenComplete(
            (connected, error) -> {
              if (error == null) {
                this.connected = connected;
                attempt.complete(connected);
              } else {
                attempt.completeExceptionally(error);
              }
              connecting.set(null);
            });
    return attempt;
  }

  private static String load(String resource) {
    try (InputStream in = RedisRateLimiter.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing rate-limit script " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read rate-limit script " + resource, e);
    }
  }

  /** The Redis key of a limiter: the hash tag keeps each script on one Cluster slot. */
  static String redisKey(String policy, String key) {
    return KEY_PREFIX + policy + ":" + key + "}";
  }

  /** Told the duration of every limiter call that reached Redis (success or failure), in ns. */
  public void observeLatency(LongConsumer observer) {
    this.latencyObserver = observer;
  }

  public boolean breakerOpen() {
    return breaker.isOpen();
  }

  /**
   * Asks Redis whether {@code cost} permits may be taken.
   *
   * @param periodOrInterval for a token bucket the time per token, for windows the window length
   * @param capacity the bucket capacity or the window limit
   * @return a stage with a {@link RateLimitDecision}-encoded decision; it fails with {@link
   *     RedisUnavailableException} when Redis is down, slow or the breaker is open
   */
  public CompletionStage<Long> acquire(
      Algorithm algorithm,
      String policy,
      String key,
      long periodOrInterval,
      long capacity,
      int cost) {
    if (!breaker.allowCall()) {
      return CompletableFuture.failedFuture(new RedisUnavailableException("circuit breaker open"));
    }
    Connected current = connected;
    if (current == null) {
      startConnecting();
      breaker.onFailure();
      return CompletableFuture.failedFuture(new RedisUnavailableException("not connected"));
    }
    RedisScriptingAsyncCommands<String, String> commands = current.commands();
    Script script = scripts.get(algorithm);
    String[] keys = {redisKey(policy, key)};
    String micros = String.valueOf(Math.max(1, TimeUnit.NANOSECONDS.toMicros(periodOrInterval)));
    String[] args = {micros, String.valueOf(capacity), String.valueOf(cost)};
    long started = System.nanoTime();
    return run(commands, script, keys, args, true)
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .handle(
            (reply, error) -> {
              latencyObserver.accept(System.nanoTime() - started);
              if (error != null) {
                if (breaker.onFailure()) {
                  log.warn(
                      "Redis rate limiter unavailable, circuit breaker opened: {}",
                      describe(error));
                }
                throw new CompletionException(new RedisUnavailableException(describe(error)));
              }
              breaker.onSuccess();
              return toDecision(reply);
            });
  }

  private CompletableFuture<List<Object>> run(
      RedisScriptingAsyncCommands<String, String> commands,
      Script script,
      String[] keys,
      String[] args,
      boolean reloadOnMissing) {
    String sha = script.sha;
    CompletableFuture<List<Object>> call;
    if (sha == null) {
      call =
          commands
              .scriptLoad(script.source)
              .toCompletableFuture()
              .thenCompose(
                  loaded -> {
                    script.sha = loaded;
                    return evalsha(commands, loaded, keys, args);
                  });
    } else {
      call = evalsha(commands, sha, keys, args);
    }
    if (!reloadOnMissing) {
      return call;
    }
    return call.handle(
            (reply, error) -> {
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              if (cause instanceof RedisNoScriptException) {
                script.sha = null; // Redis restarted or flushed its script cache
                return run(commands, script, keys, args, false);
              }
              return error == null
                  ? CompletableFuture.completedFuture(reply)
                  : CompletableFuture.<List<Object>>failedFuture(cause);
            })
        .thenCompose(stage -> stage);
  }

  private static CompletableFuture<List<Object>> evalsha(
      RedisScriptingAsyncCommands<String, String> commands,
      String sha,
      String[] keys,
      String[] args) {
    return commands
        .<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
        .toCompletableFuture();
  }

  private static long toDecision(List<Object> reply) {
    boolean allowed = ((Long) reply.get(0)) == 1L;
    long remaining = (Long) reply.get(1);
    long retryMillis = ceilMillis((Long) reply.get(2));
    long resetMillis = ceilMillis((Long) reply.get(3));
    return allowed
        ? RateLimitDecision.admitted(remaining, resetMillis)
        : RateLimitDecision.refused(retryMillis, resetMillis);
  }

  private static long ceilMillis(long micros) {
    return micros <= 0 ? 0 : (micros + 999) / 1000;
  }

  private static String describe(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  @Override
  public void close() {
    try {
      Connected current = connected;
      if (current != null) {
        current.connection().close();
      }
      client.close();
    } catch (Exception e) {
      log.debug("closing the Redis client failed", e);
    }
  }
}
