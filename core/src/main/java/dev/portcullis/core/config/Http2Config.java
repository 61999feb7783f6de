package dev.portcullis.core.config;

/**
 * HTTP/2 from clients (YAML {@code server.http2}). Streams are proxied to the HTTP/1.1 upstream
 * pools like HTTP/1.1 requests; header size and body limits come from {@code server.limits}.
 *
 * @param enabled offer {@code h2} by ALPN on a TLS listener
 * @param h2c accept prior-knowledge cleartext HTTP/2 on a plain listener (for a load balancer that
 *     speaks h2c to its backends); HTTP/1.1 keeps working beside it
 * @param maxConcurrentStreams streams one connection may have open at once; more are refused
 * @param initialWindowSize the flow-control window of each stream, in bytes: how much request body
 *     a client may send before the upstream has taken some of it
 */
public record Http2Config(
    boolean enabled, boolean h2c, int maxConcurrentStreams, int initialWindowSize) {

  public static final int MAX_WINDOW_SIZE = Integer.MAX_VALUE;

  public static final Http2Config DEFAULTS = new Http2Config(true, false, 100, 65_535);

  public Http2Config {
    Checks.positive("server.http2.max_concurrent_streams", maxConcurrentStreams);
    if (initialWindowSize < 65_535) {
      throw new IllegalArgumentException(
          "server.http2.initial_window_size: "
              + initialWindowSize
              + " (expected: 65535..2147483647 bytes)");
    }
  }
}
