package dev.portcullis.core.config;

import java.time.Duration;

/**
 * Invariant checks for the configuration records' compact constructors, reporting in the house form
 * {@code path.to.key: value (expected: ...)}. The loader reports problems with the same wording
 * before a record is ever built; these are the last line of defence for code that builds records
 * directly.
 */
final class Checks {
  private Checks() {}

  static void notNull(String key, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(key + ": null (expected: a value)");
    }
  }

  static void notBlank(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + ": '" + value + "' (expected: a non-empty string)");
    }
  }

  static void port(String key, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(key + ": " + port + " (expected: 0..65535)");
    }
  }

  static void positive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: > 0)");
    }
  }

  static void notNegative(String key, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: >= 0)");
    }
  }

  static void positive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: a duration > 0)");
    }
  }

  static void notNegative(String key, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: a duration >= 0)");
    }
  }
}
