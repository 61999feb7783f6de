package dev.portcullis.ratelimit.algorithm;

/** Compact expectations for decisions, so a failing assertion prints both sides readably. */
final class Decisions {
  private Decisions() {}

  static String admitted(long remaining, long resetMillis) {
    return RateLimitDecision.toString(RateLimitDecision.admitted(remaining, resetMillis));
  }

  static String refused(long retryAfterMillis, long resetMillis) {
    return RateLimitDecision.toString(RateLimitDecision.refused(retryAfterMillis, resetMillis));
  }

  static String show(long decision) {
    return RateLimitDecision.toString(decision);
  }
}
