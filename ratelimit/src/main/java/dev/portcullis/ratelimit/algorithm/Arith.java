package dev.portcullis.ratelimit.algorithm;

/**
 * Exact {@code a * b / c} for the rate arithmetic, where the product may exceed 64 bits (elapsed
 * nanoseconds times a permit count) but the quotient does not. A double gives the quotient to
 * within a few units; the remainder {@code a * b - q * c} is small, so long arithmetic, exact
 * modulo 2<sup>64</sup>, computes it exactly and corrects the guess. One floating-point division
 * replaces the three integer divisions a 128-bit long division would need.
 *
 * <p>Preconditions, met by the callers' bounds ({@link Rate} periods of at most 24 days, counts of
 * at most 2<sup>31</sup>): {@code a, b >= 0}, {@code c > 0}, the exact quotient below
 * 2<sup>62</sup> and {@code a * b} below 2<sup>110</sup>.
 */
final class Arith {
  private Arith() {}

  static long mulDivFloor(long a, long b, long c) {
    long q = (long) ((double) a * (double) b / (double) c);
    long r = a * b - q * c;
    if (r < 0 || r >= c) {
      q += Math.floorDiv(r, c);
    }
    return q;
  }

  static long mulDivCeil(long a, long b, long c) {
    long q = mulDivFloor(a, b, c);
    return a * b - q * c == 0 ? q : q + 1;
  }

  static void checkPermits(int permits, int limit) {
    if (permits < 1 || permits > limit) {
      throw new IllegalArgumentException(
          "permits: " + permits + " (expected: 1.." + limit + ", the limit)");
    }
  }
}
