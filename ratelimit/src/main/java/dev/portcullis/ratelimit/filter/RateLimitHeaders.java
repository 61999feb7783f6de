package dev.portcullis.ratelimit.filter;

import dev.portcullis.ratelimit.algorithm.RateLimitDecision;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The rate-limit response headers, in the forms Atlassian clients already read: the IETF {@code
 * RateLimit-Policy} / {@code RateLimit} fields, Jira Cloud's {@code X-RateLimit-*} (with {@code
 * X-RateLimit-Reset} as an ISO 8601 instant) and {@code X-RateLimit-NearLimit} when under 20%
 * remains; on a refusal also {@code Retry-After} (seconds) and {@code RateLimit-Reason}.
 */
final class RateLimitHeaders {
  private static final double NEAR_LIMIT_FRACTION = 0.2;

  private RateLimitHeaders() {}

  static void apply(HttpHeaders headers, LimitOutcome outcome) {
    long decision = outcome.decision();
    long remaining = RateLimitDecision.remaining(decision);
    long resetSeconds = RateLimitDecision.resetSeconds(decision);
    String name = outcome.policy();
    headers.set(
        "RateLimit-Policy",
        "\"" + name + "\";q=" + outcome.limit() + ";w=" + outcome.windowSeconds());
    headers.set("RateLimit", "\"" + name + "\";r=" + remaining + ";t=" + resetSeconds);
    headers.set("X-RateLimit-Limit", outcome.limit());
    headers.set("X-RateLimit-Remaining", remaining);
    headers.set(
        "X-RateLimit-Reset",
        Instant.now()
            .plusMillis(RateLimitDecision.resetMillis(decision))
            .truncatedTo(ChronoUnit.SECONDS)
            .toString());
    if (remaining < outcome.limit() * NEAR_LIMIT_FRACTION) {
      headers.set("X-RateLimit-NearLimit", "true");
    } else {
      headers.remove("X-RateLimit-NearLimit");
    }
    if (!outcome.admitted()) {
      headers.set(HttpHeaderNames.RETRY_AFTER, RateLimitDecision.retryAfterSeconds(decision));
      headers.set("RateLimit-Reason", name);
    }
  }
}
