package dev.portcullis.proxy.upstream;

/**
 * The outcomes of a target's recent calls, as the circuit breaker weighs them. Written by every
 * event loop that calls the target: implementations are lock-free and allocate nothing.
 */
interface OutcomeWindow {

  void record(boolean failure, long nowNanos);

  /** Calls in the window in the high 32 bits, failures among them in the low 32 bits. */
  long snapshot(long nowNanos);

  /** Forgets every outcome (the circuit just closed: the old failures no longer count). */
  void reset();

  static int calls(long snapshot) {
    return (int) (snapshot >>> 32);
  }

  static int failures(long snapshot) {
    return (int) snapshot;
  }

  static long pack(int calls, int failures) {
    return ((long) Math.max(0, calls) << 32) | Math.max(0, failures);
  }
}
