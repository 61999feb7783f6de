package dev.portcullis.proxy.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Sits before the HTTP codec and runs every byte from the client through a {@link
 * RequestHeadScanner}, so a head with obsolete line folding or a line ending other than CRLF is
 * refused instead of being repaired by the decoder.
 *
 * <p>A refused head never reaches the decoder: the bytes before it (earlier pipelined requests) are
 * passed on, the head and everything after it on the connection is dropped, and in its place a
 * request whose decoder result carries the reason goes up the pipeline. It queues behind the
 * requests before it like any pipelined request, so their responses go out first; {@link
 * ProxyExchange} then answers it with 400 and closes the connection. No upstream sees any of it.
 *
 * <p>When the connection stops speaking HTTP/1.1 (an upgrade), whoever takes the codec out removes
 * this handler too.
 *
 * <p>Threading: one instance per channel, all calls on its event loop. Buffers: each inbound buffer
 * is passed on whole, passed on as a slice of its head (the rest released), or released.
 */
public final class RequestHeadScanHandler extends ChannelInboundHandlerAdapter {
  private final RequestHeadScanner scanner = new RequestHeadScanner();
  private boolean refused;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (refused) {
      buf.release();
      return;
    }
    if (scanner.scan(buf)) {
      ctx.fireChannelRead(buf);
      return;
    }
    refused = true;
    int headStart = scanner.rejectedHeadStart();
    if (headStart > buf.readerIndex()) {
      ctx.fireChannelRead(buf.retainedSlice(buf.readerIndex(), headStart - buf.readerIndex()));
    }
    buf.release();
    DefaultHttpRequest standIn = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    standIn.setDecoderResult(DecoderResult.failure(scanner.rejection()));
    ctx.fireChannelRead(standIn);
  }
}
