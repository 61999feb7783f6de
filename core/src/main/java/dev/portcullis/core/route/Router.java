package dev.portcullis.core.route;

import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.ResponseFilter;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the route of a request: the first, in configuration order, whose host, method and path
 * match. Immutable; built once per configuration snapshot.
 */
public final class Router {
  private final Route[] routes;

  private Router(Route[] routes) {
    this.routes = routes;
  }

  /**
   * Compiles every route of the configuration, asking each factory (in its order) for the route's
   * filters.
   */
  public static Router compile(GatewayConfig config, List<RouteFilterFactory> factories) {
    List<RouteFilterFactory> ordered = new ArrayList<>(factories);
    ordered.sort(Comparator.comparingInt(RouteFilterFactory::order));
    Route[] routes = new Route[config.routes().size()];
    for (int i = 0; i < routes.length; i++) {
      RouteConfig rc = config.routes().get(i);
      PathPattern pattern =
          rc.path() != null ? PathPattern.glob(rc.path()) : PathPattern.prefix(rc.pathPrefix());
      List<RequestFilter> request = new ArrayList<>();
      List<ResponseFilter> response = new ArrayList<>();
      for (RouteFilterFactory factory : ordered) {
        request.addAll(factory.requestFilters(rc));
        response.addAll(factory.responseFilters(rc));
      }
      routes[i] =
          new Route(
              rc,
              pattern,
              request.toArray(new RequestFilter[0]),
              response.toArray(new ResponseFilter[0]));
    }
    return new Router(routes);
  }

  /** The matching route, or null when none matches (the engine answers 404). */
  public Route match(CharSequence hostHeader, HttpMethod method, String path) {
    for (Route route : routes) {
      if (route.matches(hostHeader, method, path)) {
        return route;
      }
    }
    return null;
  }

  public List<Route> routes() {
    return List.of(routes);
  }
}
