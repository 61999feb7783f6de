package dev.portcullis.core.pipeline;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Sees the head of every response of a route before it is written to the client, whether it came
 * from the upstream or from the gateway itself (an error, a rejection by a filter), and may change
 * its headers (rate-limit headers, cache status, security headers). Called on the event loop; it
 * must not block. Bodies are not visible here: they stream through untouched (a filter that must
 * see them attaches a {@link ResponseObserver}).
 */
@FunctionalInterface
public interface ResponseFilter {
  void onResponse(Exchange exchange, HttpResponseStatus status, HttpHeaders responseHeaders);
}
