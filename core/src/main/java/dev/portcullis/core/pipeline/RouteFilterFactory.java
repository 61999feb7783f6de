package dev.portcullis.core.pipeline;

import dev.portcullis.core.config.RouteConfig;
import java.util.List;

/**
 * How a module (auth, rate limiting, cache) contributes filters to a route. Called once per route
 * when the configuration loads; the filters it returns are compiled into the route's arrays.
 */
public interface RouteFilterFactory {

  /** Where this factory's filters go in the chain; lower runs first. */
  int order();

  default List<RequestFilter> requestFilters(RouteConfig route) {
    return List.of();
  }

  default List<ResponseFilter> responseFilters(RouteConfig route) {
    return List.of();
  }
}
