package dev.portcullis.core.config;

import java.nio.file.Path;

/**
 * The access log: one JSON line per request, written by a background thread so an event loop never
 * waits for the disk.
 *
 * @param path the file lines are appended to; required when {@code destination} is {@code file},
 *     ignored otherwise
 */
public record AccessLogConfig(boolean enabled, Destination destination, Path path) {
  public static final AccessLogConfig DEFAULTS =
      new AccessLogConfig(true, Destination.STDOUT, null);
  public static final AccessLogConfig DISABLED =
      new AccessLogConfig(false, Destination.STDOUT, null);

  public AccessLogConfig {
    Checks.notNull("access_log.destination", destination);
    if (destination == Destination.FILE && path == null) {
      throw new IllegalArgumentException(
          "access_log.path: missing (expected: a file path when destination is file)");
    }
  }

  /** Where lines go. YAML: {@code stdout}, {@code file}. */
  public enum Destination {
    STDOUT,
    FILE;

    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
