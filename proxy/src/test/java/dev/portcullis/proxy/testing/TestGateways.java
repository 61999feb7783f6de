package dev.portcullis.proxy.testing;

import dev.portcullis.core.config.AdminConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.RouteAuth;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.core.config.SocketTransport;
import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.core.net.Cidr;
import dev.portcullis.proxy.Gateway;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds gateway configurations on loopback, port 0, for the engine's tests. */
public final class TestGateways {
  private TestGateways() {}

  /** A server section on 127.0.0.1:0 with the given worker count and trusted proxies. */
  public static ServerConfig server(int workers, Duration drain, List<Cidr> trusted) {
    return new ServerConfig("127.0.0.1", 0, workers, ServerLimits.DEFAULTS, drain, trusted);
  }

  public static UpstreamConfig upstream(
      String name,
      List<URI> targets,
      Duration responseTimeout,
      int maxConnections,
      LoadBalancing balancing) {
    return upstream(
        name, targets, responseTimeout, maxConnections, 1024, Duration.ofSeconds(60), balancing);
  }

  public static UpstreamConfig upstream(
      String name,
      List<URI> targets,
      Duration responseTimeout,
      int maxConnections,
      int maxPending,
      Duration idleTimeout,
      LoadBalancing balancing) {
    return new UpstreamConfig(
        name,
        targets,
        Duration.ofSeconds(2),
        responseTimeout,
        maxConnections,
        maxPending,
        idleTimeout,
        balancing,
        false,
        Map.of());
  }

  /**
   * The same configuration with every route open to anonymous requests, for the tests of anything
   * but authentication (which the authentication tests cover with real credentials).
   */
  public static GatewayConfig anonymous(GatewayConfig config) {
    return config.withRoutes(
        config.routes().stream().map(r -> r.withAuth(RouteAuth.ANONYMOUS)).toList());
  }

  /** Everything under / goes to upstream "backend", open to anonymous requests. */
  public static GatewayConfig config(ServerConfig server, UpstreamConfig backend) {
    Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
    upstreams.put(backend.name(), backend);
    return anonymous(
        new GatewayConfig(
            server,
            new AdminConfig("127.0.0.1", 0),
            upstreams,
            List.of(
                new RouteConfig(
                    "api", "/api/**", null, null, List.of(), backend.name(), "/api", null, null),
                RouteConfig.glob("all", "/**", backend.name()))));
  }

  /** One worker, everything under / to {@code backend}, open to anonymous requests. */
  public static GatewayConfig oneWorker(UpstreamConfig backend) {
    return config(server(1, Duration.ofSeconds(5), List.of()), backend);
  }

  /**
   * One worker, everything to upstream "backend" at {@code upstream} (5 s response timeout, 16
   * connections), open to anonymous requests.
   */
  public static GatewayConfig oneWorker(URI upstream) {
    return oneWorker(
        upstream(
            "backend", List.of(upstream), Duration.ofSeconds(5), 16, LoadBalancing.ROUND_ROBIN));
  }

  /**
   * One worker with the given listener limits, everything to upstream "backend" at {@code upstream}
   * (10 s response timeout, 8 connections), open to anonymous requests.
   */
  public static GatewayConfig config(URI upstream, ServerLimits limits) {
    return config(
        new ServerConfig("127.0.0.1", 0, 1, limits, Duration.ofSeconds(5), List.of()),
        upstream(
            "backend", List.of(upstream), Duration.ofSeconds(10), 8, LoadBalancing.ROUND_ROBIN));
  }

  /** Two workers, everything to upstream "backend" at {@code upstream}, default timeouts. */
  public static GatewayConfig config(URI upstream) {
    return config(upstream, SocketTransport.AUTO);
  }

  /** The same as {@link #config(URI)} on the given socket transport. */
  public static GatewayConfig config(URI upstream, SocketTransport transport) {
    return config(
        server(2, Duration.ofSeconds(5), List.of()).withTransport(transport),
        upstream(
            "backend", List.of(upstream), Duration.ofSeconds(5), 64, LoadBalancing.ROUND_ROBIN));
  }

  public static Gateway start(URI upstream) throws InterruptedException {
    return Gateway.start(config(upstream));
  }

  /** The same as {@link #start(URI)} on the given socket transport. */
  public static Gateway start(URI upstream, SocketTransport transport) throws InterruptedException {
    return Gateway.start(config(upstream, transport));
  }
}
