package dev.portcullis.proxy.server;

import dev.portcullis.core.config.Http2Config;
import dev.portcullis.proxy.forward.DrainEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-level events of an HTTP/2 connection: idle (close once no stream is open) and drain
 * (close now). Closing goes through the frame codec, which sends GOAWAY with the last stream it
 * accepted, lets the open streams finish (up to the drain timeout) and then closes the socket.
 *
 * <p>Threading: the connection's event loop only.
 */
final class Http2ConnectionEventsHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Http2ConnectionEventsHandler.class);

  /** The most a connection's window is opened to, whatever the streams would add up to. */
  private static final long MAX_CONNECTION_WINDOW = 16L * 1024 * 1024;

  private final Http2FrameCodec codec;
  private final int connectionWindow;

  Http2ConnectionEventsHandler(Http2FrameCodec codec, Http2Config http2) {
    this.codec = codec;
    this.connectionWindow =
        (int)
            Math.max(
                http2.initialWindowSize(),
                Math.min(
                    MAX_CONNECTION_WINDOW,
                    (long) http2.initialWindowSize() * http2.maxConcurrentStreams()));
  }

  /**
   * Opens the connection's receive window to what the streams' windows add up to (capped): with the
   * protocol's default of 64 KiB for the whole connection, one stream whose upstream is slow would
   * hold every other stream's uploads. Runs after the codec sent its SETTINGS, so the WINDOW_UPDATE
   * follows the preface.
   */
  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Http2Exception {
    Http2Connection connection = codec.connection();
    Http2LocalFlowController flow = connection.local().flowController();
    int delta = connectionWindow - flow.windowSize(connection.connectionStream());
    if (delta > 0) {
      flow.incrementWindowSize(connection.connectionStream(), delta);
      ctx.flush();
    }
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
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // I/O errors (a client reset): HTTP/2 protocol errors were answered by the codec already.
    log.debug("HTTP/2 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // Connection frames the multiplexer did not consume (SETTINGS, PING acks...): nothing to do.
    ReferenceCountUtil.release(msg);
  }
}
