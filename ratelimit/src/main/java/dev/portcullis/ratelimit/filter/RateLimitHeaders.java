package dev.portcullis.ratelimit.filter;

import dev.portcullis.core.pipeline.HeaderNames;
import dev.portcullis.ratelimit.algorithm.RateLimitDecision;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.time.Instant;

/**
 * The rate-limit response headers, in the forms Atlassian clients already read: the IETF {@code
 * RateLimit-Policy} / {@code RateLimit} fields, Jira Cloud's {@code X-RateLimit-*} (with {@code
 * X-RateLimit-Reset} as an ISO 8601 instant) and {@code X-RateLimit-NearLimit} when under 20%
 * remains; on a refusal also {@code Retry-After} (seconds) and {@code RateLimit-Reason}.
 */
final class RateLimitHeaders {
  private static final double NEAR_LIMIT_FRACTION = 0.2;
  private static final AsciiString RATELIMIT_POLICY = HeaderNames.of("RateLimit-Policy");
  private static final AsciiString RATELIMIT = HeaderNames.of("RateLimit");
  private static final AsciiString RATELIMIT_REASON = HeaderNames.of("RateLimit-Reason");
  private static final AsciiString X_LIMIT = HeaderNames.of("X-RateLimit-Limit");
  private static final AsciiString X_REMAINING = HeaderNames.of("X-RateLimit-Remaining");
  private static final AsciiString X_RESET = HeaderNames.of("X-RateLimit-Reset");
  private static final AsciiString X_NEAR_LIMIT = HeaderNames.of("X-RateLimit-NearLimit");
  private static final AsciiString TRUE = AsciiString.cached("true");

  /**
   * A policy's name and rate with the header values that never change, built once: every response
   * of a limited route carries them, and formatting them per response was a measurable part of the
   * event loop's time.
   */
  record Policy(
      String name,
      long limit,
      long windowSeconds,
      AsciiString policyValue,
      AsciiString limitValue,
      String remainingPrefix) {
    Policy(String name, long limit, long windowSeconds) {
      this(
          name,
          limit,
          windowSeconds,
          new AsciiString("\"" + name + "\";q=" + limit + ";w=" + windowSeconds),
          new AsciiString(Long.toString(limit)),
          "\"" + name + "\";r=");
    }
  }

  /** The last formatted second: most responses within a second share it. */
  private static volatile FormattedSecond lastSecond =
      new FormattedSecond(0, AsciiString.EMPTY_STRING);

  private record FormattedSecond(long epochSecond, AsciiString iso) {}

  private RateLimitHeaders() {}

  private static AsciiString isoSecond(long epochSecond) {
    FormattedSecond cached = lastSecond;
    if (cached.epochSecond() == epochSecond) {
      return cached.iso();
    }
    AsciiString iso = new AsciiString(Instant.ofEpochSecond(epochSecond).toString());
    lastSecond = new FormattedSecond(epochSecond, iso);
    return iso;
  }

  static void apply(HttpHeaders headers, LimitOutcome outcome) {
    long decision = outcome.decision();
    long remaining = RateLimitDecision.remaining(decision);
    long resetSeconds = RateLimitDecision.resetSeconds(decision);
    Policy policy = outcome.policy();
    headers.set(RATELIMIT_POLICY, policy.policyValue());
    headers.set(RATELIMIT, policy.remainingPrefix() + remaining + ";t=" + resetSeconds);
    headers.set(X_LIMIT, policy.limitValue());
    headers.set(X_REMAINING, Long.toString(remaining));
    headers.set(
        X_RESET,
        isoSecond((System.currentTimeMillis() + RateLimitDecision.resetMillis(decision)) / 1000));
    if (remaining < policy.limit() * NEAR_LIMIT_FRACTION) {
      headers.set(X_NEAR_LIMIT, TRUE);
    } else {
      headers.remove(X_NEAR_LIMIT);
    }
    if (!outcome.admitted()) {
      headers.set(HttpHeaderNames.RETRY_AFTER, RateLimitDecision.retryAfterSeconds(decision));
      headers.set(RATELIMIT_REASON, policy.name());
    }
  }
}
