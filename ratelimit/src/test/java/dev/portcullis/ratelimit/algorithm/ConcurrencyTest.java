package dev.portcullis.ratelimit.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Many threads on one key while a fake clock moves in steps. Within a step the clock stands still
 * and every thread acquires until refused, so the permits admitted in a step depend only on the
 * state and the time, not on how the threads interleaved: the concurrent run must match a
 * single-threaded replay exactly, and each algorithm's bound must hold.
 */
class ConcurrencyTest {
  private static final int THREADS = 4;
  private static final long MILLI = 1_000_000L;

  @Test
  void tokenBucketAdmitsExactlyCapacityPlusRefill() throws Exception {
    long[] steps = steps(1, 1500, 2 * MILLI);
    Function<NanoClock, TokenBucket> bucket = c -> new TokenBucket(500, Rate.parse("997/7ms"), c);

    ManualClock clock = new ManualClock();
    long[] admitted = hammer(bucket.apply(clock), clock, steps, THREADS, 3);

    long elapsed = sum(steps, steps.length);
    assertThat(sum(admitted, admitted.length))
        .isEqualTo(500 + Arith.mulDivFloor(elapsed, 997, 7 * MILLI));
    ManualClock replayClock = new ManualClock();
    assertThat(sum(hammer(bucket.apply(replayClock), replayClock, steps, 1, 3), admitted.length))
        .isEqualTo(sum(admitted, admitted.length));
  }

  @Test
  void fixedWindowNeverExceedsItsLimitPerWindow() throws Exception {
    long[] steps = steps(2, 2000, 3 * MILLI);
    long window = 10 * MILLI;
    long[] admitted = replayed(c -> new FixedWindow(Rate.parse("50/10ms"), c), steps);

    assertThat(perWindow(admitted, steps, window)).containsOnly(50L);
  }

  @Test
  void slidingWindowNeverExceedsItsLimitPerWindow() throws Exception {
    long[] steps = steps(3, 2000, 3 * MILLI);
    long window = 10 * MILLI;
    long[] admitted = replayed(c -> new SlidingWindow(Rate.parse("50/10ms"), c), steps);

    long[] perWindow = perWindow(admitted, steps, window);
    assertThat(Arrays.stream(perWindow).max().orElseThrow()).isEqualTo(50);
    assertThat(Arrays.stream(perWindow).min().orElseThrow()).isPositive();
  }

  @Test
  void slidingLogNeverExceedsItsLimitInAnyWindowLongStretch() throws Exception {
    long[] steps = steps(4, 2000, 3 * MILLI);
    long window = 10 * MILLI;
    long[] admitted = replayed(c -> new SlidingLog(Rate.parse("50/10ms"), c), steps);

    long[] times = times(steps);
    for (int i = 0; i < admitted.length; i++) {
      long inStretch = 0;
      for (int j = i; j >= 0 && times[i] - times[j] < window; j--) {
        inStretch += admitted[j];
      }
      assertThat(inStretch).as("the window ending at step %d", i).isLessThanOrEqualTo(50);
    }
    // Bursts leave gaps of up to a window, yet the log admits over half the nominal rate.
    assertThat(sum(admitted, admitted.length)).isGreaterThan(25L * times[steps.length] / window);
  }

  @Test
  void tokenBucketNeverOverAdmitsWhileTheClockRacesTheThreads() throws Exception {
    ManualClock clock = new ManualClock();
    TokenBucket bucket = new TokenBucket(100, Rate.parse("1000/1ms"), clock);
    AtomicLong key = bucket.newState();
    long start = clock.nanoTime();
    LongAdder admitted = new LongAdder();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int seed = t;
        workers.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed);
                  while (running.get()) {
                    int permits = random.nextInt(1, 4);
                    if (RateLimitDecision.isAdmitted(bucket.tryAcquire(key, permits))) {
                      admitted.add(permits);
                    }
                  }
                }));
      }
      for (int i = 0; i < 20_000; i++) {
        clock.advance(1_000);
        if (i % 64 == 0) {
          Thread.yield();
        }
      }
      running.set(false);
      for (Future<?> worker : workers) {
        worker.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    long emitted = Arith.mulDivFloor(clock.nanoTime() - start, 1000, MILLI);
    assertThat(admitted.sum()).isPositive().isLessThanOrEqualTo(100 + emitted);
  }

  /** Runs concurrently and single-threaded, asserts both admitted the same per step. */
  private static <S> long[] replayed(
      Function<NanoClock, ? extends RateLimitAlgorithm<S>> algorithm, long[] steps)
      throws Exception {
    ManualClock clock = new ManualClock();
    long[] concurrent = hammer(algorithm.apply(clock), clock, steps, THREADS, 1);
    ManualClock replayClock = new ManualClock();
    long[] sequential = hammer(algorithm.apply(replayClock), replayClock, steps, 1, 1);
    assertThat(concurrent).isEqualTo(sequential);
    return concurrent;
  }

  /**
   * Returns the permits admitted in each step. Every thread acquires (1 to {@code maxPermits} at a
   * time) until refused, then waits for the others; the last one to arrive moves the clock on. The
   * final step acquires one at a time, so it drains whatever is left.
   */
  private static <S> long[] hammer(
      RateLimitAlgorithm<S> algorithm, ManualClock clock, long[] steps, int threads, int maxPermits)
      throws Exception {
    S state = algorithm.newState();
    long[] perStep = new long[steps.length + 1];
    LongAdder admitted = new LongAdder();
    int[] step = {0};
    CyclicBarrier barrier =
        new CyclicBarrier(
            threads,
            () -> {
              int i = step[0];
              perStep[i] = admitted.sumThenReset();
              if (i < steps.length) {
                clock.advance(steps[i]);
              }
              step[0] = i + 1;
            });
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SplittableRandom random = new SplittableRandom(t);
        workers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i <= steps.length; i++) {
                    boolean last = i == steps.length;
                    for (; ; ) {
                      int permits = last ? 1 : random.nextInt(1, maxPermits + 1);
                      if (!RateLimitDecision.isAdmitted(algorithm.tryAcquire(state, permits))) {
                        break;
                      }
                      admitted.add(permits);
                    }
                    barrier.await(10, TimeUnit.SECONDS);
                  }
                  return null;
                }));
      }
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return perStep;
  }

  private static long[] perWindow(long[] admitted, long[] steps, long window) {
    long[] times = times(steps);
    long[] perWindow = new long[(int) (times[steps.length] / window) + 1];
    for (int i = 0; i < admitted.length; i++) {
      perWindow[(int) (times[i] / window)] += admitted[i];
    }
    return perWindow;
  }

  /** When each step ran, relative to the start: one entry more than there are steps. */
  private static long[] times(long[] steps) {
    long[] times = new long[steps.length + 1];
    for (int i = 0; i < steps.length; i++) {
      times[i + 1] = times[i] + steps[i];
    }
    return times;
  }

  /** Step sizes from 0 (two requests at the same instant) to {@code max} nanoseconds. */
  private static long[] steps(long seed, int count, long max) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] steps = new long[count];
    for (int i = 0; i < count; i++) {
      steps[i] = random.nextInt(4) == 0 ? 0 : random.nextLong(max + 1);
    }
    return steps;
  }

  private static long sum(long[] values, int count) {
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += values[i];
    }
    return total;
  }
}
