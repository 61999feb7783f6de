package dev.portcullis.core.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The audit log: one JSON line per security event, written by a background thread. It has no off
 * switch, since the audit trail is not optional.
 *
 * @param path the file lines are appended to; required when {@code destination} is {@code file},
 *     ignored otherwise
 * @param spoolPath where events that found the queue full wait for the writer; null for the
 *     default: {@code <path>.spool} next to a file destination (so events spooled before a crash
 *     are written at the next start), a new temporary file for stdout
 */
public record AuditLogConfig(Destination destination, Path path, Path spoolPath) {
  public static final AuditLogConfig DEFAULTS = new AuditLogConfig(Destination.STDOUT, null, null);

  public AuditLogConfig {
    Checks.notNull("audit_log.destination", destination);
    if (destination == Destination.FILE && path == null) {
      throw new IllegalArgumentException(
          "audit_log.path: missing (expected: a file path when destination is file)");
    }
    if (spoolPath != null && spoolPath.equals(path)) {
      throw new IllegalArgumentException(
          "audit_log.spool_path: " + spoolPath + " (expected: a file other than audit_log.path)");
    }
  }

  /** The spool file in effect, or null when a temporary file is to be created. */
  public Path effectiveSpoolPath() {
    if (spoolPath != null) {
      return spoolPath;
    }
    if (destination == Destination.FILE) {
      return path.resolveSibling(path.getFileName() + ".spool");
    }
    return null;
  }

  /** Where lines go. YAML: {@code stdout}, {@code file}. */
  public enum Destination {
    STDOUT,
    FILE;

    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
