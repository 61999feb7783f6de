package dev.portcullis.proxy.forward;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every client connection: admits it under {@code server.limits.max_connections}
 * before a TLS handshake or a decoded byte costs anything, registers it for draining, and counts it
 * out when it closes. One connection is one count whatever runs on it (HTTP/1.1, HTTP/2 streams, a
 * WebSocket tunnel).
 *
 * <p>AUTO_READ is off on client connections. When the protocol handlers are only added later (after
 * the TLS handshake, or once the h2c preface is seen) nothing else asks for the first read, so this
 * handler does ({@code readFirst}).
 *
 * <p>Threading: one instance per channel, its event loop only.
 */
public final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimitHandler.class);

  private final GatewayState state;
  private final int maxConnections;
  private final boolean readFirst;
  private boolean counted;

  public ConnectionLimitHandler(GatewayState state, int maxConnections, boolean readFirst) {
    this.state = state;
    this.maxConnections = maxConnections;
    this.readFirst = readFirst;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!state.tryOpenConnection(maxConnections)) {
      // Refused before reading a byte, so the cost of an excess connection stays at an accept.
      log.debug("connection limit reached; closing {}", ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    counted = true;
    state.connections().add(ctx.channel());
    ctx.fireChannelActive();
    if (readFirst) {
      ctx.read();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      counted = false;
      state.connectionClosed();
    }
    ctx.fireChannelInactive();
  }
}
