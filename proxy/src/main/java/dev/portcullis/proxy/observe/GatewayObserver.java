package dev.portcullis.proxy.observe;

import dev.portcullis.proxy.upstream.Target;

/**
 * What the engine tells observability: the few points where a request ends and where an upstream
 * connection opens, fails or answers. The engine depends only on this, so tests and a no-op can
 * stand in for the Prometheus metrics and the access log.
 *
 * <p>Threading: {@link #target} is called at start-up; {@link #exchangeEnded} on event loops, where
 * it must neither block nor lock.
 */
public interface GatewayObserver {
  GatewayObserver NOOP =
      new GatewayObserver() {
        @Override
        public TargetObserver target(Target target) {
          return TargetObserver.NOOP;
        }

        @Override
        public void exchangeEnded(ExchangeRecord exchange) {}
      };

  /** The observer of one target's connections; called once per target when the pools are built. */
  TargetObserver target(Target target);

  /** An exchange ended: its response was fully written, or it was abandoned. */
  void exchangeEnded(ExchangeRecord exchange);
}
