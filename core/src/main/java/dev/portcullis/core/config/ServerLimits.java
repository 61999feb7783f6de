package dev.portcullis.core.config;

import java.time.Duration;

/**
 * Per-connection limits of the downstream listener.
 *
 * @param maxInitialLineBytes longest request line accepted (414 above it)
 * @param maxHeaderBytes total size of the request headers accepted (431 above it)
 * @param idleTimeout a keep-alive connection with no request in flight is closed after this
 */
public record ServerLimits(int maxInitialLineBytes, int maxHeaderBytes, Duration idleTimeout) {
  public static final ServerLimits DEFAULTS =
      new ServerLimits(8 * 1024, 60 * 1024, Duration.ofSeconds(60));

  public ServerLimits {
    Checks.positive("server.limits.max_initial_line_bytes", maxInitialLineBytes);
    Checks.positive("server.limits.max_header_bytes", maxHeaderBytes);
    Checks.positive("server.limits.idle_timeout", idleTimeout);
  }
}
