package dev.portcullis.ratelimit.filter;

import com.github.benmanes.caffeine.cache.Cache;
import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.RateLimitsConfig.KeyPart;
import dev.portcullis.core.config.RateSpec;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.EventLoopCaches;
import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.FilterOrder;
import dev.portcullis.core.pipeline.GatewayResponse;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.ResponseFilter;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import dev.portcullis.ratelimit.algorithm.NanoClock;
import dev.portcullis.ratelimit.algorithm.RateLimitDecision;
import dev.portcullis.ratelimit.cluster.RedisRateLimiter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limiting as the gateway sees it: compiles the configured policies, owns the Redis client for
 * cluster scope, and contributes two filters per route (anonymous policies before authentication,
 * identity policies and the per-API-key-type defaults after it) plus the response filter that
 * writes the rate-limit headers on every response of a limited route.
 *
 * <p>When Redis fails, the configured mode holds: {@code fail_open} decides with the policy's local
 * limiter (logged once per outage, counted in {@link #failOpenDecisions()}); {@code fail_closed}
 * answers 503.
 */
public final class RateLimiting implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RateLimiting.class);
  private static final String KEY_TYPE_POLICY_PREFIX = "api_key_";

  private final RateLimitsConfig config;
  private final NanoClock clock;
  private final RedisRateLimiter redis;
  private final List<CompiledPolicy> policies = new ArrayList<>();
  private final Map<String, CompiledPolicy> keyTypePolicies = new ConcurrentHashMap<>();
  private final Cache<String, Long> refusedUntil;
  private final AtomicBoolean outageLogged = new AtomicBoolean();
  private final LongAdder failOpenDecisions = new LongAdder();
  private final LongAdder precheckRefusals = new LongAdder();
  private final LongAdder redisErrors = new LongAdder();

  private RateLimiting(RateLimitsConfig config, NanoClock clock, RedisRateLimiter redis) {
    this.config = config;
    this.clock = clock;
    this.redis = redis;
    for (RateLimitsConfig.Policy policy : config.policies()) {
      policies.add(new CompiledPolicy(policy, clock));
    }
    this.refusedUntil =
        EventLoopCaches.newBuilder()
            .maximumSize(CompiledPolicy.MAX_KEYS_PER_POLICY)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();
  }

  /** Builds the limiters; connects to Redis when the configuration names one. */
  public static RateLimiting create(RateLimitsConfig config) {
    return create(config, NanoClock.SYSTEM);
  }

  static RateLimiting create(RateLimitsConfig config, NanoClock clock) {
    RedisRateLimiter redis =
        config.redis() == null ? null : RedisRateLimiter.connect(config.redis());
    return new RateLimiting(config, clock, redis);
  }

  /** How often Redis failed and a local limiter decided instead. */
  public long failOpenDecisions() {
    return failOpenDecisions.sum();
  }

  /** Requests refused from the local record of a Redis refusal, without a Redis round trip. */
  public long precheckRefusals() {
    return precheckRefusals.sum();
  }

  /** Decisions counted per policy name: {@code counts[0]} admitted, {@code counts[1]} refused. */
  public Map<String, long[]> decisionsByPolicy() {
    Map<String, long[]> byName = new java.util.TreeMap<>();
    List<CompiledPolicy> all = new ArrayList<>(policies);
    all.addAll(keyTypePolicies.values());
    for (CompiledPolicy policy : all) {
      long[] counts = byName.computeIfAbsent(policy.name, n -> new long[2]);
      counts[0] += policy.admitted.sum();
      counts[1] += policy.refused.sum();
    }
    return byName;
  }

  /** Limiter calls to Redis that failed or timed out. */
  public long redisErrors() {
    return redisErrors.sum();
  }

  /** Receives the duration of every Redis limiter call, in nanoseconds (for a histogram). */
  public void observeRedisLatency(java.util.function.LongConsumer observer) {
    if (redis != null) {
      redis.observeLatency(observer);
    }
  }

  /** Whether the Redis circuit breaker is open now (false without Redis). */
  public boolean redisBreakerOpen() {
    return redis != null && redis.breakerOpen();
  }

  /** The two factories to give the gateway: one per phase. */
  public List<RouteFilterFactory> filterFactories() {
    return List.of(new Phase(false), new Phase(true));
  }

  private final class Phase implements RouteFilterFactory {
    private final boolean identity;

    Phase(boolean identity) {
      this.identity = identity;
    }

    @Override
    public int order() {
      return identity ? FilterOrder.RATE_LIMIT_IDENTITY : FilterOrder.RATE_LIMIT_ANONYMOUS;
    }

    @Override
    public List<RequestFilter> requestFilters(RouteConfig route) {
      List<CompiledPolicy> mine = new ArrayList<>();
      for (int i = 0; i < policies.size(); i++) {
        RateLimitsConfig.Policy policy = config.policies().get(i);
        boolean needsIdentity = policy.key().stream().anyMatch(KeyPart::needsIdentity);
        boolean applies = policy.routes().isEmpty() || policy.routes().contains(route.name());
        if (applies && needsIdentity == identity) {
          mine.add(policies.get(i));
        }
      }
      if (mine.isEmpty() && !identity) {
        return List.of();
      }
      // The identity phase always runs: API keys have limits even without a configured policy.
      return List.of(
          new RateLimitFilter(mine.toArray(new CompiledPolicy[0]), identity, RateLimiting.this));
    }

    @Override
    public List<ResponseFilter> responseFilters(RouteConfig route) {
      if (identity) {
        return List.of(); // one header writer per route is enough
      }
      return List.of(
          (exchange, status, headers) -> {
            LimitOutcome outcome = exchange.get(LimitOutcome.KEY);
            if (outcome != null) {
              RateLimitHeaders.apply(headers, outcome);
            }
          });
    }
  }

  /** The implicit policy of an API key: its own limit, else its type's default. */
  CompiledPolicy keyTypePolicy(Principal principal) {
    String spec = principal.rateLimit();
    String name =
        spec != null ? "api_key_override_" + spec : KEY_TYPE_POLICY_PREFIX + principal.keyType();
    CompiledPolicy existing = keyTypePolicies.get(name);
    if (existing != null) {
      return existing;
    }
    RateSpec rate;
    if (spec != null) {
      try {
        rate = RateSpec.parse(spec);
      } catch (IllegalArgumentException e) {
        log.warn(
            "API key {} has an invalid rate limit; using its type's default",
            principal.credentialId());
        rate = config.keyTypeDefaults().get(principal.keyType());
      }
    } else {
      rate = config.keyTypeDefaults().get(principal.keyType());
    }
    if (rate == null) {
      return null;
    }
    RateSpec chosen = rate;
    return keyTypePolicies.computeIfAbsent(
        name,
        n ->
            new CompiledPolicy(
                KEY_TYPE_POLICY_PREFIX + principal.keyType(),
                RateLimitsConfig.Algorithm.TOKEN_BUCKET,
                chosen,
                chosen.permits(),
                redis != null,
                List.of(KeyPart.API_KEY),
                java.util.Set.of(),
                clock));
  }

  /**
   * The cluster-wide decision for a key: refused at once while a recent Redis refusal still holds
   * (the local pre-check), else asked of Redis; on a Redis failure in fail-open mode, decided by
   * the policy's local limiter. The stage fails only in fail-closed mode.
   */
  CompletableFuture<LimitOutcome> clusterDecision(CompiledPolicy policy, String key) {
    String precheckKey = policy.name + '\u0000' + key;
    Long until = refusedUntil.getIfPresent(precheckKey);
    long now = clock.nanoTime();
    if (until != null && until - now > 0) {
      precheckRefusals.increment();
      long waitMillis = TimeUnit.NANOSECONDS.toMillis(until - now) + 1;
      return CompletableFuture.completedFuture(
          policy.outcome(RateLimitDecision.refused(waitMillis, waitMillis)));
    }
    return redis
        .acquire(policy.algorithm, policy.name, key, policy.redisPeriodNanos, policy.capacity, 1)
        .toCompletableFuture()
        .handle(
            (decision, error) -> {
              if (error == null) {
                outageLogged.set(false);
                if (!RateLimitDecision.isAdmitted(decision)) {
                  refusedUntil.put(
                      precheckKey,
                      clock.nanoTime()
                          + TimeUnit.MILLISECONDS.toNanos(
                              RateLimitDecision.retryAfterMillis(decision)));
                }
                return policy.outcome(decision);
              }
              redisErrors.increment();
              if (config.redis().failMode() == RateLimitsConfig.FailMode.FAIL_CLOSED) {
                throw new java.util.concurrent.CompletionException(error);
              }
              failOpenDecisions.increment();
              if (outageLogged.compareAndSet(false, true)) {
                log.warn(
                    "Redis unavailable for rate limiting; limiting locally until it is back ({})",
                    error.getMessage());
              }
              return policy.outcome(policy.local.tryAcquire(key, 1));
            });
  }

  FilterDecision refusal(Exchange exchange, LimitOutcome outcome) {
    GatewayResponse response =
        GatewayResponse.error(
            HttpResponseStatus.TOO_MANY_REQUESTS,
            "rate_limited",
            "Rate limit '"
                + outcome.policy().name()
                + "' exceeded; retry after "
                + RateLimitDecision.retryAfterSeconds(outcome.decision())
                + " s.",
            exchange);
    RateLimitHeaders.apply(response.headers(), outcome);
    return FilterDecision.respond(response);
  }

  FilterDecision unavailable(Exchange exchange) {
    return FilterDecision.respond(
        GatewayResponse.error(
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            "rate_limiter_unavailable",
            "The rate limiter cannot decide right now; retry shortly.",
            exchange));
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }
}
