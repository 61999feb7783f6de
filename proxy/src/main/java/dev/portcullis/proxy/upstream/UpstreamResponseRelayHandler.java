package dev.portcullis.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/**
 * The last handler of an upstream connection: hands every decoded response part to the exchange the
 * connection is bound to. A part arriving while the connection is idle in its pool is a protocol
 * violation by the upstream (it answered nothing we asked); the part is released and the connection
 * closed so it is never handed to a request.
 */
final class UpstreamResponseRelayHandler extends ChannelInboundHandlerAdapter {
  private final UpstreamConnection connection;

  UpstreamResponseRelayHandler(UpstreamConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamListener listener = connection.listener();
    if (listener == null || !(msg instanceof HttpObject)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    listener.onResponsePart((HttpObject) msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamListener listener = connection.listener();
    if (listener != null) {
      listener.onResponseReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamListener listener = connection.listener();
    if (listener != null && ctx.channel().isWritable()) {
      listener.onUpstreamWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamListener listener = connection.listener();
    if (listener != null) {
      connection.bind(null);
      listener.onUpstreamFailure(new ClosedChannelException());
    }
    connection.pool().onClosed(connection);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamListener listener = connection.listener();
    if (listener != null) {
      connection.bind(null);
      listener.onUpstreamFailure(cause);
    }
    ctx.close();
  }
}
