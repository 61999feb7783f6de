package dev.portcullis.proxy;

import dev.portcullis.auth.filter.Authentication;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import dev.portcullis.proxy.observe.Observability;
import dev.portcullis.ratelimit.filter.RateLimiting;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request-level modules of one gateway (rate limiting, authentication), built from its
 * configuration snapshot: the filters they contribute to routes, and what must be closed after the
 * event loops stop (Redis clients, the credential store). The one place modules are wired.
 */
final class GatewayModules implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayModules.class);

  private final List<RouteFilterFactory> filterFactories = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private GatewayModules() {}

  /**
   * Builds every module; on failure closes what was already built and rethrows.
   *
   * @param observability where modules record audit events and register their metrics
   */
  static GatewayModules create(GatewayConfig config, Observability observability) {
    GatewayModules modules = new GatewayModules();
    try {
      RateLimiting rateLimiting = RateLimiting.create(config.rateLimits());
      modules.closeables.add(rateLimiting);
      modules.filterFactories.addAll(rateLimiting.filterFactories());
      observability.registerRateLimiting(rateLimiting);

      Authentication authentication =
          new Authentication(
              config.auth().access(),
              new Authentication.Verifiers(null, null),
              null,
              observability.auditSink());
      modules.filterFactories.addAll(authentication.filterFactories());
      observability.registerAuthentication(authentication);
      return modules;
    } catch (RuntimeException e) {
      modules.close();
      throw e;
    }
  }

  List<RouteFilterFactory> filterFactories() {
    return Collections.unmodifiableList(filterFactories);
  }

  /** Hands the modules over to be closed when the gateway stops, latest built first. */
  List<AutoCloseable> closeables() {
    List<AutoCloseable> reversed = new ArrayList<>(closeables);
    Collections.reverse(reversed);
    return reversed;
  }

  @Override
  public void close() {
    for (AutoCloseable closeable : closeables()) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("closing {} failed", closeable.getClass().getSimpleName(), e);
      }
    }
  }
}
