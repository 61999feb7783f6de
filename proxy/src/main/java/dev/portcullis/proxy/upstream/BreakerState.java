package dev.portcullis.proxy.upstream;

/** The state of a target's circuit breaker, as metrics and the admin API show it. */
public enum BreakerState {
  CLOSED("closed"),
  OPEN("open"),
  HALF_OPEN("half_open");

  private final String label;

  BreakerState(String label) {
    this.label = label;
  }

  /** The metric label and JSON value: {@code closed}, {@code open}, {@code half_open}. */
  public String label() {
    return label;
  }
}
