package dev.portcullis.ratelimit.filter;

import dev.portcullis.ratelimit.algorithm.RateLimitDecision;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Instant;

/**
 * The rate-limit response headers, in the forms Atlassian clients already read: the IETF {@code
 * RateLimit-Policy} / {@code RateLimit} fields, Jira Cloud's {@code X-RateLimit-*} (with {@code
 * X-RateLimit-Reset} as an ISO 8601 instant) and {@code X-RateLimit-NearLimit} when under 20%
 * remains; on a refusal also {@code Retry-After} (seconds) and {@code RateLimit-Reason}.
 */
final class RateLimitHeaders {
  private static final double NEAR_LIMIT_FRACTION = 0.2;

  /** The last formatted second: most responses within a second share it. */
  private static volatile FormattedSecond lastSecond = new FormattedSecond(0, "");

  private record FormattedSecond(long epochSecond, String iso) {}

  private RateLimitHeaders() {}

  private static String isoSecond(long epochSecond) {
    FormattedSecond cached = lastSecond;
    if (cached.epochSecond() == epochSecond) {
      return cached.iso();
    }
    String iso = Instant.ofEpochSecond(epochSecond).toString();
    lastSecond = new FormattedSecond(epochSecond, iso);
    return iso;
  }

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
        isoSecond((System.currentTimeMillis() + RateLimitDecision.resetMillis(decision)) / 1000));
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
