package dev.portcullis.ratelimit.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArithTest {
  private static final long MAX_PERIOD = 366L * 86_400 * 1_000_000_000L;

  @Test
  void agreesWithBigIntegerOnTheRangesTheAlgorithmsUse() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      // elapsed * count / period, index * period / count, count * (window - e) / window and
      // room * window / count: the four shapes the algorithms compute.
      long a;
      long b;
      long c;
      switch (i % 4) {
        case 0 -> {
          a = random.nextLong(1L << 62);
          b = random.nextLong(1, 1L << 31);
          c = random.nextLong(Math.max(1_000_000L, b), MAX_PERIOD + 1);
        }
        case 1 -> {
          c = random.nextLong(1, 1L << 31);
          b = random.nextLong(1_000_000L, MAX_PERIOD + 1);
          a = random.nextLong(Math.max(1, (long) ((double) (1L << 62) / b * c)));
        }
        case 2 -> {
          a = random.nextLong(1 << 22);
          c = random.nextLong(1_000_000L, MAX_PERIOD + 1);
          b = random.nextLong(c + 1);
        }
        default -> {
          c = random.nextLong(1, 1 << 22);
          a = random.nextLong(c);
          b = random.nextLong(1_000_000L, MAX_PERIOD + 1);
        }
      }
      BigInteger product = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b));
      BigInteger[] qr = product.divideAndRemainder(BigInteger.valueOf(c));
      long floor = qr[0].longValueExact();
      long ceil = qr[1].signum() == 0 ? floor : floor + 1;

      assertThat(Arith.mulDivFloor(a, b, c)).as("%d * %d / %d", a, b, c).isEqualTo(floor);
      assertThat(Arith.mulDivCeil(a, b, c)).as("%d * %d / %d", a, b, c).isEqualTo(ceil);
    }
  }

  @Test
  void exactAtIntegerBoundaries() {
    long period = 1_000_000_000L;
    assertThat(Arith.mulDivCeil(1, period, 3)).isEqualTo(333_333_334L);
    assertThat(Arith.mulDivFloor(333_333_333L, 3, period)).isZero();
    assertThat(Arith.mulDivFloor(333_333_334L, 3, period)).isEqualTo(1);
    assertThat(Arith.mulDivCeil(3, period, 3)).isEqualTo(period);
    assertThat(Arith.mulDivFloor(Long.MAX_VALUE, 1, 1)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void permitsMustBeWithinTheLimit() {
    Arith.checkPermits(1, 1);
    Arith.checkPermits(10, 10);
    assertThatThrownBy(() -> Arith.checkPermits(0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits: 0 (expected: 1..10, the limit)");
    assertThatThrownBy(() -> Arith.checkPermits(11, 10))
        .hasMessage("permits: 11 (expected: 1..10, the limit)");
  }
}
