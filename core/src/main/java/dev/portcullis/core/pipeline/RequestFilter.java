package dev.portcullis.core.pipeline;

/**
 * A request-level concern (authentication, authorisation, rate limiting, caching, header rewriting)
 * run in order, by index, from the array a route compiled at configuration load.
 *
 * <p>Threading: called on the request's event loop; it must not block. A filter that needs I/O
 * returns {@link FilterDecision#defer}. A filter may modify {@link Exchange#requestHeaders()}.
 */
@FunctionalInterface
public interface RequestFilter {
  FilterDecision onRequest(Exchange exchange);
}
