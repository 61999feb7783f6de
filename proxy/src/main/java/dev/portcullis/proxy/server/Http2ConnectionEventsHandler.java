package dev.portcullis.proxy.server;

import dev.portcullis.proxy.forward.DrainEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Connection-level events of an HTTP/2 connection: idle (close once no stream is open) and drain
 * (close now). Closing goes through the frame codec, which sends GOAWAY with the last stream it
 * accepted, lets the open streams finish (up to the drain timeout) and then closes the socket.
 *
 * <p>Threading: the connection's event loop only.
 */
final class Http2ConnectionEventsHandler extends ChannelInboundHandlerAdapter {
  private final Http2FrameCodec codec;

  Http2ConnectionEventsHandler(Http2FrameCodec codec) {
    this.codec = codec;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == DrainEvent.INSTANCE) {
      ctx.close();
      return;
    }
    if (evt instanceof IdleStateEvent) {
      if (codec.connection().numActiveStreams() == 0) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // Connection frames the multiplexer did not consume (SETTINGS, PING acks...): nothing to do.
    ReferenceCountUtil.release(msg);
  }
}
