package dev.portcullis.proxy.forward;

import dev.portcullis.proxy.server.HandlerNames;
import dev.portcullis.proxy.upstream.UpstreamConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * A WebSocket connection after the upstream's {@code 101 Switching Protocols}: the HTTP codecs
 * leave both pipelines and bytes are relayed as they are, frames never decoded (the upstream speaks
 * WebSocket with the client; the gateway only authorised the upgrade request through the route's
 * filters).
 *
 * <p>Backpressure both ways: each side reads only when the other can take the write (AUTO_READ off
 * on both). Close on either side closes the other after flushing what it was sent. The client
 * connection's idle timeout ({@code server.limits.idle_timeout}) closes a tunnel with no traffic
 * either way.
 *
 * <p>Threading: both channels are on the same event loop (the upstream connection was opened on the
 * client's loop), so the two handlers call each other directly. Buffer ownership: a buffer read on
 * one side is written to the other, whose write releases it.
 */
final class WebSocketTunnel {
  private static final String UPSTREAM_CODEC = "codec";
  private static final String UPSTREAM_RELAY = "relay";
  private static final String TUNNEL = "websocket-tunnel";

  private WebSocketTunnel() {}

  /** An HTTP/1.1 {@code GET} asking for {@code Upgrade: websocket}; any other upgrade is not. */
  static boolean isUpgrade(HttpRequest request) {
    HttpHeaders headers = request.headers();
    return request.method().equals(HttpMethod.GET)
        && request.protocolVersion().equals(HttpVersion.HTTP_1_1)
        && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  /** Puts back the two headers hop-by-hop stripping removed, as the upgrade needs them. */
  static void restoreUpgradeHeaders(HttpHeaders headers) {
    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    headers.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
  }

  /**
   * Switches both connections to byte relaying. Call after the 101 was written to the client; the
   * upstream connection must be detached from its pool already.
   */
  static void open(ChannelHandlerContext downstreamCtx, UpstreamConnection upstream) {
    Channel client = downstreamCtx.channel();
    Channel server = upstream.channel();
    Side clientSide = new Side(server);
    Side serverSide = new Side(client);
    clientSide.peer = serverSide;
    serverSide.peer = clientSide;

    // Downstream first: bytes the upstream sent after its 101 may be relayed while its codec is
    // removed below, and must not meet the HTTP encoder.
    ChannelPipeline down = client.pipeline();
    down.addAfter(HandlerNames.FORWARD, TUNNEL, clientSide);
    down.remove(HandlerNames.FORWARD);
    if (down.get(HandlerNames.COMPRESSION) != null) {
      down.remove(HandlerNames.COMPRESSION);
    }
    down.remove(HandlerNames.HTTP_CODEC); // buffered client bytes go on to the tunnel
    // WebSocket frames are not request heads: the scanner would refuse them.
    down.remove(HandlerNames.HEAD_SCAN);
    down.remove(HandlerNames.HEAD_TIMEOUT);

    server.config().setAutoRead(false);
    ChannelPipeline up = server.pipeline();
    // Before the relay, which stays last so the pool still counts the connection closed.
    up.addBefore(UPSTREAM_RELAY, TUNNEL, serverSide);
    up.remove(UPSTREAM_CODEC);

    client.read();
    server.read();
  }

  /** One direction's reader: what it reads goes to {@code target}. */
  private static final class Side extends ChannelInboundHandlerAdapter {
    private final Channel target;
    private Side peer;
    private ChannelHandlerContext ctx;
    private boolean waitingForTarget;

    Side(Channel target) {
      this.target = target;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      target.write(msg, target.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      target.flush();
      if (target.isWritable()) {
        ctx.read();
      } else {
        waitingForTarget = true;
      }
    }

    /** This side's channel drained its writes: the peer may read again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        peer.targetWritable();
      }
      ctx.fireChannelWritabilityChanged();
    }

    private void targetWritable() {
      if (waitingForTarget && ctx != null) {
        waitingForTarget = false;
        ctx.read();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (target.isActive()) {
        target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent || evt == DrainEvent.INSTANCE) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
