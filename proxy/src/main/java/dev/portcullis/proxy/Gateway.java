package dev.portcullis.proxy;

import dev.portcullis.core.config.GatewayConfig;
import java.net.InetSocketAddress;

/**
 * A running gateway: the downstream listener, the admin listener and the upstream pools. (Engine
 * under construction: API fixed, body being written.)
 */
public final class Gateway implements AutoCloseable {

  private Gateway() {}

  /** Binds both listeners and returns once they accept connections. */
  public static Gateway start(GatewayConfig config) throws InterruptedException {
    throw new UnsupportedOperationException("engine not written yet");
  }

  /** The bound proxy address (the real port when the configuration asked for port 0). */
  public InetSocketAddress address() {
    throw new UnsupportedOperationException();
  }

  /** The bound admin address. */
  public InetSocketAddress adminAddress() {
    throw new UnsupportedOperationException();
  }

  /**
   * Graceful shutdown: stop accepting, let in-flight requests finish for up to the configured drain
   * timeout ({@code /health/ready} answers 503 meanwhile), then close everything.
   *
   * @return true when every in-flight request finished within the drain timeout
   */
  public boolean shutdownGracefully() {
    throw new UnsupportedOperationException();
  }

  /** Blocks until the gateway has stopped (after {@link #shutdownGracefully()} or close). */
  public void awaitTermination() throws InterruptedException {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    shutdownGracefully();
  }
}
