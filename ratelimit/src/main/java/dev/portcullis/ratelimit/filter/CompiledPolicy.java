package dev.portcullis.ratelimit.filter;

import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.RateLimitsConfig.KeyPart;
import dev.portcullis.core.config.RateSpec;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.ratelimit.algorithm.Algorithm;
import dev.portcullis.ratelimit.algorithm.LocalRateLimiter;
import dev.portcullis.ratelimit.algorithm.NanoClock;
import dev.portcullis.ratelimit.algorithm.Rate;
import dev.portcullis.ratelimit.algorithm.RateLimitAlgorithm;
import dev.portcullis.ratelimit.algorithm.RateLimitDecision;
import dev.portcullis.ratelimit.algorithm.TokenBucket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A policy ready to decide: its in-process limiter (used for local scope, and for cluster scope
 * when Redis fails open), what to send Redis for cluster scope, and how to build its key.
 */
final class CompiledPolicy {
  static final long MAX_KEYS_PER_POLICY = 1_000_000;

  final String name;
  final RateLimitsConfig.Algorithm algorithm;
  final boolean cluster;
  final long limit;
  final long capacity;
  final long windowSeconds;

  /** For Redis: the time per token (token bucket) or the window length (the others). */
  final long redisPeriodNanos;

  final LocalRateLimiter<?> local;
  private final RateLimitHeaders.Policy headers;
  final LongAdder admitted = new LongAdder();
  final LongAdder refused = new LongAdder();
  private final KeyPart[] keyParts;
  private final Set<String> methods;

  CompiledPolicy(RateLimitsConfig.Policy policy, NanoClock clock) {
    this(
        policy.name(),
        policy.algorithm(),
        policy.limit(),
        policy.capacity(),
        policy.scope() == RateLimitsConfig.Scope.CLUSTER,
        policy.key(),
        policy.methods(),
        clock);
  }

  CompiledPolicy(
      String name,
      RateLimitsConfig.Algorithm algorithm,
      RateSpec rate,
      long capacity,
      boolean cluster,
      List<KeyPart> keyParts,
      Set<String> methods,
      NanoClock clock) {
    this.name = name;
    this.algorithm = algorithm;
    this.cluster = cluster;
    this.limit = rate.permits();
    this.capacity =
        algorithm == RateLimitsConfig.Algorithm.TOKEN_BUCKET ? capacity : rate.permits();
    this.windowSeconds = Math.max(1, rate.period().toSeconds());
    this.redisPeriodNanos =
        algorithm == RateLimitsConfig.Algorithm.TOKEN_BUCKET
            ? rate.nanosPerPermit()
            : rate.period().toNanos();
    Rate algorithmRate = Rate.of(rate);
    RateLimitAlgorithm<?> local =
        algorithm == RateLimitsConfig.Algorithm.TOKEN_BUCKET
            ? new TokenBucket(Math.toIntExact(this.capacity), algorithmRate, clock)
            : Algorithm.valueOf(algorithm.name()).create(algorithmRate, clock);
    this.local = LocalRateLimiter.create(local, MAX_KEYS_PER_POLICY);
    this.headers = new RateLimitHeaders.Policy(name, limit, windowSeconds);
    this.keyParts = keyParts.toArray(new KeyPart[0]);
    this.methods = Set.copyOf(methods);
  }

  boolean appliesTo(Exchange exchange) {
    return methods.isEmpty() || methods.contains(exchange.method().name());
  }

  /**
   * The key this exchange is counted under, or null when a part is unknown (an identity part on an
   * anonymous request): the policy does not apply then.
   */
  String key(Exchange exchange, Principal principal) {
    if (keyParts.length == 1) {
      return part(keyParts[0], exchange, principal);
    }
    StringBuilder key = new StringBuilder(64);
    for (int i = 0; i < keyParts.length; i++) {
      String part = part(keyParts[i], exchange, principal);
      if (part == null) {
        return null;
      }
      if (i > 0) {
        key.append('|');
      }
      key.append(part);
    }
    return key.toString();
  }

  private static String part(KeyPart part, Exchange exchange, Principal principal) {
    return switch (part) {
      case CLIENT_IP -> exchange.clientAddress().getAddress().getHostAddress();
      case ROUTE -> exchange.route().name();
      case PRINCIPAL -> principal == null ? null : principal.subject();
      case TENANT -> principal == null ? null : principal.tenant();
      case API_KEY ->
          principal == null || principal.keyType() == null ? null : principal.credentialId();
    };
  }

  /** Every decision passes here once, so the counts are exact. */
  LimitOutcome outcome(long decision) {
    (RateLimitDecision.isAdmitted(decision) ? admitted : refused).increment();
    return new LimitOutcome(headers, decision);
  }
}
