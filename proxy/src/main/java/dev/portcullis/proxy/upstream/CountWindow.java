package dev.portcullis.proxy.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last N outcomes: a ring of slots (empty, success, failure) claimed by a shared cursor, with
 * running totals. The totals move only by what a slot swap replaced, so concurrent writers and a
 * reset never make them drift from the ring; a reader may see them one call apart for a moment.
 */
final class CountWindow implements OutcomeWindow {
  private static final int EMPTY = 0;
  private static final int SUCCESS = 1;
  private static final int FAILURE = 2;

  private final AtomicIntegerArray slots;
  private final AtomicLong cursor = new AtomicLong();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();

  CountWindow(int size) {
    this.slots = new AtomicIntegerArray(size);
  }

  @Override
  public void record(boolean failure, long nowNanos) {
    int slot = (int) (cursor.getAndIncrement() % slots.length());
    int outcome = failure ? FAILURE : SUCCESS;
    adjust(slots.getAndSet(slot, outcome), outcome);
  }

  @Override
  public long snapshot(long nowNanos) {
    return OutcomeWindow.pack(calls.get(), failures.get());
  }

  @Override
  public void reset() {
    for (int i = 0; i < slots.length(); i++) {
      adjust(slots.getAndSet(i, EMPTY), EMPTY);
    }
  }

  private void adjust(int old, int now) {
    if (old == EMPTY && now != EMPTY) {
      calls.incrementAndGet();
    } else if (old != EMPTY && now == EMPTY) {
      calls.decrementAndGet();
    }
    int failureDelta = (now == FAILURE ? 1 : 0) - (old == FAILURE ? 1 : 0);
    if (failureDelta != 0) {
      failures.addAndGet(failureDelta);
    }
  }
}
