package dev.portcullis.core.pipeline;

import dev.portcullis.core.route.Route;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * One request/response exchange as the filters see it. Implemented by the proxy engine, reused
 * across the requests of a connection where it can be. Touched only from the connection's event
 * loop.
 */
public interface Exchange {

  /** The X-Request-Id of this exchange (the client's when it sent a valid one). */
  String requestId();

  /**
   * {@link System#nanoTime()} when the request head arrived: filters that need "now" (rate limits)
   * use it instead of reading the clock again.
   */
  long startNanos();

  /** The W3C trace id (32 lowercase hex) this exchange belongs to: the client's, or a new one. */
  String traceId();

  HttpMethod method();

  /** The normalised path, without the query: what routing and authorisation decide on. */
  String path();

  /** The raw query string without the leading {@code ?}, or null when there is none. */
  String query();

  /** The request headers that will be sent upstream; filters may change them. */
  HttpHeaders requestHeaders();

  /** The client's address: the TCP peer, or the address a trusted proxy reported for it. */
  InetSocketAddress clientAddress();

  /** The route that matched; never null once filters run. */
  Route route();

  /**
   * The event loop this exchange lives on. A filter that waits ({@link FilterDecision#defer}) and
   * must touch the exchange when the wait ends (set an attribute, change a header) continues there,
   * since the exchange is not thread-safe.
   */
  Executor executor();

  <T> T get(ExchangeKey<T> key);

  <T> void set(ExchangeKey<T> key, T value);
}
