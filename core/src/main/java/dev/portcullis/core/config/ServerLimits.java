package dev.portcullis.core.config;

import java.time.Duration;

/**
 * Limits of the downstream listener, per connection and per request.
 *
 * @param maxInitialLineBytes longest request line accepted (414 above it)
 * @param maxHeaderBytes total size of the request headers accepted (431 above it)
 * @param idleTimeout a keep-alive connection with no request in flight is closed after this
 * @param maxHeaders most header fields in one request (431 above it)
 * @param maxBodyBytes largest request body (413: at once when Content-Length says so, else as soon
 *     as a streamed body passes it)
 * @param maxConnections most client connections open at once; further ones are closed at accept
 * @param requestHeadersTimeout from a request's first byte to its complete head; a client that
 *     trickles its headers (slowloris) is answered 408 and cut off
 * @param requestTimeout from a request's head to its complete response; 0 for none
 */
public record ServerLimits(
    int maxInitialLineBytes,
    int maxHeaderBytes,
    Duration idleTimeout,
    int maxHeaders,
    long maxBodyBytes,
    int maxConnections,
    Duration requestHeadersTimeout,
    Duration requestTimeout) {

  public static final ServerLimits DEFAULTS =
      new ServerLimits(
          8 * 1024,
          60 * 1024,
          Duration.ofSeconds(60),
          100,
          10L * 1024 * 1024,
          10_000,
          Duration.ofSeconds(10),
          Duration.ofMinutes(5));

  public ServerLimits {
    Checks.positive("server.limits.max_initial_line_bytes", maxInitialLineBytes);
    Checks.positive("server.limits.max_header_bytes", maxHeaderBytes);
    Checks.positive("server.limits.idle_timeout", idleTimeout);
    Checks.positive("server.limits.max_headers", maxHeaders);
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException(
          "server.limits.max_body_bytes: " + maxBodyBytes + " (expected: >= 0)");
    }
    Checks.positive("server.limits.max_connections", maxConnections);
    Checks.positive("server.limits.request_headers_timeout", requestHeadersTimeout);
    Checks.notNegative("server.limits.request_timeout", requestTimeout);
  }

  /** The connection-level limits, with every request-level limit at its default. */
  public ServerLimits(int maxInitialLineBytes, int maxHeaderBytes, Duration idleTimeout) {
    this(
        maxInitialLineBytes,
        maxHeaderBytes,
        idleTimeout,
        100,
        10L * 1024 * 1024,
        10_000,
        Duration.ofSeconds(10),
        Duration.ofMinutes(5));
  }
}
