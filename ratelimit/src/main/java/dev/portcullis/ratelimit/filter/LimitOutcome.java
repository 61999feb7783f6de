package dev.portcullis.ratelimit.filter;

import dev.portcullis.core.pipeline.ExchangeKey;
import dev.portcullis.ratelimit.algorithm.RateLimitDecision;

/**
 * The most restrictive rate-limit decision taken for an exchange, kept on it so the response
 * headers can report it on every response of a limited route.
 *
 * @param policy the deciding policy, with its header values prepared once
 * @param decision a {@link RateLimitDecision}-encoded decision
 */
record LimitOutcome(RateLimitHeaders.Policy policy, long decision) {
  static final ExchangeKey<LimitOutcome> KEY = ExchangeKey.of("rate-limit-outcome");

  boolean admitted() {
    return RateLimitDecision.isAdmitted(decision);
  }

  /** Whether {@code other} is more restrictive: refused beats admitted, then less remaining. */
  boolean isLessRestrictiveThan(LimitOutcome other) {
    if (admitted() != other.admitted()) {
      return admitted();
    }
    if (!admitted()) {
      return RateLimitDecision.retryAfterMillis(decision)
          < RateLimitDecision.retryAfterMillis(other.decision);
    }
    return RateLimitDecision.remaining(decision) * other.policy.limit()
        > RateLimitDecision.remaining(other.decision) * policy.limit();
  }
}
