package dev.portcullis.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rate limiting: the policies, the per-API-key-type defaults, and the Redis used by cluster-scoped
 * policies.
 *
 * @param redis the Redis for {@code cluster} scope; null when none is configured (cluster policies
 *     are then refused at load time)
 * @param keyTypeDefaults the limit of an API key by its type when the key has no limit of its own
 */
public record RateLimitsConfig(
    Redis redis, Map<String, RateSpec> keyTypeDefaults, List<Policy> policies) {

  public static final Map<String, RateSpec> DEFAULT_KEY_TYPE_LIMITS =
      Map.of(
          "user", RateSpec.parse("1000/hour"),
          "service", RateSpec.parse("10000/hour"),
          "admin", RateSpec.parse("5000/hour"));

  public static final RateLimitsConfig DEFAULTS =
      new RateLimitsConfig(null, DEFAULT_KEY_TYPE_LIMITS, List.of());

  public RateLimitsConfig {
    keyTypeDefaults = Map.copyOf(keyTypeDefaults);
    policies = List.copyOf(policies);
  }

  /**
   * The largest count per period each algorithm can hold: the sliding window packs its two counters
   * into one long (22 bits each), the sliding log keeps a timestamp per permit, and a token bucket
   * refills at most one permit per nanosecond.
   */
  public static final int SLIDING_WINDOW_MAX_PERMITS = (1 << 22) - 1;

  public static final int SLIDING_LOG_MAX_PERMITS = 100_000;

  public static long maxPermits(Algorithm algorithm, RateSpec rate) {
    return switch (algorithm) {
      case SLIDING_WINDOW -> SLIDING_WINDOW_MAX_PERMITS;
      case SLIDING_LOG -> SLIDING_LOG_MAX_PERMITS;
      case TOKEN_BUCKET -> Math.min(Integer.MAX_VALUE, rate.period().toNanos());
      case FIXED_WINDOW -> Integer.MAX_VALUE;
    };
  }

  public enum Algorithm {
    TOKEN_BUCKET,
    SLIDING_WINDOW,
    SLIDING_LOG,
    FIXED_WINDOW;

    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public enum Scope {
    LOCAL,
    CLUSTER
  }

  /** What a policy counts by; parts combine with {@code +}, e.g. {@code tenant+route}. */
  public enum KeyPart {
    PRINCIPAL,
    API_KEY,
    TENANT,
    CLIENT_IP,
    ROUTE;

    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether this part needs an authenticated principal. */
    public boolean needsIdentity() {
      return this == PRINCIPAL || this == API_KEY || this == TENANT;
    }
  }

  /** What the limiter does when Redis is slow or down. */
  public enum FailMode {
    /** Admit, limiting with the local limiter instead; logged once and counted. */
    FAIL_OPEN,
    /** Answer 503. */
    FAIL_CLOSED
  }

  /**
   * @param burst the most admitted at once (token bucket capacity); 0 means the limit's count
   * @param routes route names it applies to; empty for all
   * @param methods methods it applies to; empty for all
   */
  public record Policy(
      String name,
      List<KeyPart> key,
      Algorithm algorithm,
      RateSpec limit,
      long burst,
      Scope scope,
      Set<String> routes,
      Set<String> methods) {
    public Policy {
      key = List.copyOf(key);
      routes = Set.copyOf(routes);
      methods = Set.copyOf(methods);
      if (burst < 0) {
        throw new IllegalArgumentException(
            "rate_limits.policies." + name + ".burst: " + burst + " (expected: >= 0)");
      }
    }

    public long capacity() {
      return burst > 0 ? burst : limit.permits();
    }

    public boolean needsIdentity() {
      return key.stream().anyMatch(KeyPart::needsIdentity);
    }
  }

  /**
   * @param uri {@code redis://}, {@code rediss://}, {@code redis-sentinel://} or a comma-separated
   *     list of nodes for Redis Cluster; a secret, since it may carry a password
   * @param timeout how long one limiter call may take before it counts as a failure
   * @param breakerFailures consecutive failures that open the circuit breaker
   * @param breakerOpenFor how long the breaker stays open before one trial call
   */
  public record Redis(
      Secret uri,
      Duration timeout,
      FailMode failMode,
      int breakerFailures,
      Duration breakerOpenFor) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);
    public static final int DEFAULT_BREAKER_FAILURES = 5;
    public static final Duration DEFAULT_BREAKER_OPEN_FOR = Duration.ofSeconds(5);
  }
}
