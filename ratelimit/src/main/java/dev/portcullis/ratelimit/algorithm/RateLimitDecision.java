package dev.portcullis.ratelimit.algorithm;

/**
 * Decodes the {@code long} every limiter returns: whether the request was admitted and what the
 * {@code RateLimit-*} and {@code Retry-After} headers need.
 *
 * <p>A primitive rather than a result object so that deciding allocates nothing, on either path,
 * without asking the caller to carry a mutable holder whose ownership would have to be explained
 * across threads once Redis answers arrive on another one. A {@code long} is also what a Redis
 * script can hand back as-is. Layout:
 *
 * <pre>
 *   bit  63     1 = refused (so {@code decision >= 0} means admitted)
 *   bits 62..32 admitted: permits remaining; refused: milliseconds until a retry can succeed
 *   bits 31..0  milliseconds until the limit is fully restored (unsigned)
 * </pre>
 *
 * Remaining and retry-after share bits because a refused request has nothing remaining and an
 * admitted one need not wait. Times are rounded up to the millisecond, so a client that waits the
 * time it is told never arrives early; values too large for their field are clamped (31 bits of
 * milliseconds is 24 days, 32 bits 49 days, longer than any {@link Rate} period).
 */
public final class RateLimitDecision {
  private static final long REFUSED = Long.MIN_VALUE;
  private static final long MAX_MIDDLE = (1L << 31) - 1;
  private static final long MAX_LOW = (1L << 32) - 1;
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private RateLimitDecision() {}

  public static long admitted(long remaining, long resetMillis) {
    return clamp(remaining, MAX_MIDDLE) << 32 | clamp(resetMillis, MAX_LOW);
  }

  /** {@code retryAfterMillis} is at least 1: a refusal always asks the client to wait. */
  public static long refused(long retryAfterMillis, long resetMillis) {
    return REFUSED
        | clamp(Math.max(1, retryAfterMillis), MAX_MIDDLE) << 32
        | clamp(resetMillis, MAX_LOW);
  }

  public static boolean isAdmitted(long decision) {
    return decision >= 0;
  }

  /** Permits left after this decision; 0 when refused. */
  public static long remaining(long decision) {
    return decision >= 0 ? decision >>> 32 : 0;
  }

  /** How long a refused client should wait; 0 when admitted. */
  public static long retryAfterMillis(long decision) {
    return decision >= 0 ? 0 : (decision >>> 32) & MAX_MIDDLE;
  }

  /** {@link #retryAfterMillis} rounded up to whole seconds, as {@code Retry-After} wants it. */
  public static long retryAfterSeconds(long decision) {
    return ceilDiv(retryAfterMillis(decision), 1000);
  }

  /** How long until the full limit is available again; 0 when it already is. */
  public static long resetMillis(long decision) {
    return decision & MAX_LOW;
  }

  /** {@link #resetMillis} rounded up to whole seconds, as {@code RateLimit-Reset} wants it. */
  public static long resetSeconds(long decision) {
    return ceilDiv(resetMillis(decision), 1000);
  }

  public static String toString(long decision) {
    return isAdmitted(decision)
        ? "admitted(remaining=" + remaining(decision) + ", reset=" + resetMillis(decision) + "ms)"
        : "refused(retryAfter="
            + retryAfterMillis(decision)
            + "ms, reset="
            + resetMillis(decision)
            + "ms)";
  }

  /** Nanoseconds to milliseconds, rounded up; negative durations count as none. */
  static long ceilMillis(long nanos) {
    return nanos <= 0 ? 0 : ceilDiv(nanos, NANOS_PER_MILLI);
  }

  static long admittedNanos(long remaining, long resetNanos) {
    return admitted(remaining, ceilMillis(resetNanos));
  }

  static long refusedNanos(long retryAfterNanos, long resetNanos) {
    return refused(ceilMillis(retryAfterNanos), ceilMillis(resetNanos));
  }

  private static long ceilDiv(long value, long divisor) {
    return value / divisor + (value % divisor == 0 ? 0 : 1);
  }

  private static long clamp(long value, long max) {
    return value < 0 ? 0 : Math.min(value, max);
  }
}
