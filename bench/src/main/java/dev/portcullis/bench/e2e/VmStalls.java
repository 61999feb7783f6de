package dev.portcullis.bench.e2e;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How long the machine takes the CPU away from a thread that never blocks: spins on {@link
 * System#nanoTime()} and counts every gap between two consecutive reads longer than 100 µs. A
 * request in flight waits through such a gap on any core its path crosses, so the gaps set a floor
 * under every latency percentile the harness reports, direct's included.
 *
 * <p>On this project's Firecracker VMs the gaps come from the host: the guest's own counters
 * ({@code /proc/stat} irq, softirq and steal) stay at zero while a spinning thread misses the CPU
 * for up to 7 ms, about 1% of the time, with both vCPUs busy. {@code bench/run-e2e} runs one probe
 * pinned to each core at once, the way the latency runs keep both cores busy.
 *
 * <p>Prints one line of {@code key=value} pairs. Usage: {@code java -cp benchmarks.jar
 * dev.portcullis.bench.e2e.VmStalls [--seconds 10]}. The loop allocates nothing, so the JVM's own
 * pauses are only its periodic safepoints (tens of microseconds); the first second is spent
 * compiling the loop and is not counted.
 */
public final class VmStalls {
  private static final long REPORTED_GAP_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
  private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(1);

  private VmStalls() {}

  public static void main(String[] args) {
    double seconds = 10;
    for (int i = 0; i < args.length; i++) {
      if ("--seconds".equals(args[i]) && i + 1 < args.length) {
        seconds = Double.parseDouble(args[++i]);
      } else {
        System.err.println("VmStalls: unknown argument " + args[i]);
        System.err.println("usage: VmStalls [--seconds 10]");
        System.exit(2);
      }
    }
    if (!(seconds >= 1 && seconds <= 600)) {
      System.err.println("VmStalls: --seconds " + seconds + " (expected: 1..600)");
      System.exit(2);
    }
    spin(WARMUP_NANOS);
    System.out.println(spin((long) (seconds * 1e9)).summary());
  }

  static Gaps spin(long durationNanos) {
    Gaps gaps = new Gaps(durationNanos);
    long previous = System.nanoTime();
    long end = previous + durationNanos;
    while (previous < end) {
      long now = System.nanoTime();
      long gap = now - previous;
      if (gap > REPORTED_GAP_NANOS) {
        gaps.record(gap);
      }
      previous = now;
    }
    return gaps;
  }

  static final class Gaps {
    private final long durationNanos;
    private long over100us;
    private long over1ms;
    private long over5ms;
    private long longest;
    private long lost;

    Gaps(long durationNanos) {
      this.durationNanos = durationNanos;
    }

    void record(long gapNanos) {
      over100us++;
      over1ms += gapNanos > 1_000_000L ? 1 : 0;
      over5ms += gapNanos > 5_000_000L ? 1 : 0;
      longest = Math.max(longest, gapNanos);
      lost += gapNanos;
    }

    String summary() {
      return String.format(
          Locale.ROOT,
          "seconds=%.0f gaps_over_100us=%d gaps_over_1ms=%d gaps_over_5ms=%d longest_ms=%.3f"
              + " lost_pct=%.2f",
          durationNanos / 1e9,
          over100us,
          over1ms,
          over5ms,
          longest / 1e6,
          100.0 * lost / durationNanos);
    }
  }
}
