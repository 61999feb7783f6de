package dev.portcullis.ratelimit.algorithm;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test says so; safe to read from many threads. */
final class ManualClock implements NanoClock {
  private final AtomicLong now;

  /** Starts far from zero, so code that assumed a zero origin would show it. */
  ManualClock() {
    this(1_234_567_890_123L);
  }

  ManualClock(long start) {
    this.now = new AtomicLong(start);
  }

  @Override
  public long nanoTime() {
    return now.get();
  }

  void advance(long nanos) {
    now.addAndGet(nanos);
  }

  void advanceMillis(long millis) {
    advance(millis * 1_000_000L);
  }

  void set(long nanos) {
    now.set(nanos);
  }
}
