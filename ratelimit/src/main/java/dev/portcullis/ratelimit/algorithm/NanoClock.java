package dev.portcullis.ratelimit.algorithm;

/**
 * A monotonic nanosecond clock, injected so tests drive time by hand instead of sleeping. Only
 * differences between two readings mean anything, and they may be compared with subtraction even
 * when the readings themselves are negative or wrap.
 */
@FunctionalInterface
public interface NanoClock {

  /** The clock of production code: {@link System#nanoTime()}. */
  NanoClock SYSTEM = System::nanoTime;

  long nanoTime();
}
