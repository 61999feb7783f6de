package dev.portcullis.proxy.forward;

import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.route.Router;
import dev.portcullis.proxy.observe.GatewayObserver;
import dev.portcullis.proxy.upstream.UpstreamPools;

/**
 * What every downstream connection of one gateway shares: immutable routing and header policy, the
 * per-loop pools and the lifecycle state.
 */
public record ForwardingContext(
    Router router,
    UpstreamPools pools,
    ServerConfig server,
    ForwardedHeaders forwardedHeaders,
    String scheme,
    GatewayState state,
    GatewayObserver observer) {

  public static ForwardingContext create(
      Router router, UpstreamPools pools, ServerConfig server, GatewayState state) {
    return create(router, pools, server, state, GatewayObserver.NOOP);
  }

  public static ForwardingContext create(
      Router router,
      UpstreamPools pools,
      ServerConfig server,
      GatewayState state,
      GatewayObserver observer) {
    return new ForwardingContext(
        router,
        pools,
        server,
        new ForwardedHeaders(server.trustedProxies()),
        "http",
        state,
        observer);
  }

  /** The same context for a listener reached by {@code scheme} ({@code https} on TLS). */
  public ForwardingContext withScheme(String newScheme) {
    return new ForwardingContext(
        router, pools, server, forwardedHeaders, newScheme, state, observer);
  }
}
