package dev.portcullis.core.config;

import java.time.Duration;

/**
 * The circuit breaker each target of an upstream pool gets (YAML {@code
 * upstreams.<name>.circuit_breaker}).
 *
 * @param enabled false leaves every target's circuit closed whatever happens
 * @param failureRateThreshold percent (1..100) of failed calls in the window that opens the circuit
 * @param minimumCalls calls the window must hold before its failure rate counts
 * @param window the calls whose outcomes are weighed: the last N, or those of the last span
 * @param openDuration how long an open circuit refuses calls before letting probes through
 * @param halfOpenProbes calls let through while half-open; all must succeed to close the circuit
 */
public record CircuitBreakerConfig(
    boolean enabled,
    int failureRateThreshold,
    int minimumCalls,
    Window window,
    Duration openDuration,
    int halfOpenProbes) {

  public static final CircuitBreakerConfig DEFAULTS =
      new CircuitBreakerConfig(
          true, 50, 20, Window.ofSpan(Duration.ofSeconds(10)), Duration.ofSeconds(30), 3);

  public CircuitBreakerConfig {
    if (failureRateThreshold < 1 || failureRateThreshold > 100) {
      throw new IllegalArgumentException(
          "failure_rate_threshold: " + failureRateThreshold + " (expected: 1..100)");
    }
    Checks.positive("minimum_calls", minimumCalls);
    Checks.notNull("window", window);
    Checks.positive("open_duration", openDuration);
    if (halfOpenProbes < 1 || halfOpenProbes > 1000) {
      throw new IllegalArgumentException(
          "half_open_probes: " + halfOpenProbes + " (expected: 1..1000)");
    }
    if (window.calls() > 0 && minimumCalls > window.calls()) {
      throw new IllegalArgumentException(
          "minimum_calls: "
              + minimumCalls
              + " (expected: at most the window's "
              + window.calls()
              + " calls)");
    }
  }

  /**
   * A sliding window: count-based ({@code calls} > 0, {@code span} null) or time-based ({@code
   * span} set, {@code calls} 0).
   */
  public record Window(int calls, Duration span) {
    public static final Duration MIN_SPAN = Duration.ofMillis(10);

    public Window {
      if ((calls > 0) == (span != null)) {
        throw new IllegalArgumentException(
            "window: " + (span != null ? span : calls) + " (expected: a call count or a duration)");
      }
      if (calls < 0 || calls > 100_000) {
        throw new IllegalArgumentException("window: " + calls + " (expected: 1..100000 calls)");
      }
      if (span != null && span.compareTo(MIN_SPAN) < 0) {
        throw new IllegalArgumentException("window: " + span + " (expected: at least 10ms)");
      }
    }

    public static Window ofCalls(int calls) {
      return new Window(calls, null);
    }

    public static Window ofSpan(Duration span) {
      return new Window(0, span);
    }

    public boolean timeBased() {
      return span != null;
    }
  }
}
