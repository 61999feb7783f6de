package dev.portcullis.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Makes an HTTP/2 stream's request look like an HTTP/1.1 one to the forwarding code: drops the
 * {@code x-http2-*} headers the frame converter adds (they are for the converter, not for the
 * upstream), and splits a request that ended with its headers into a head plus an empty last part,
 * the shape the exchange expects from the HTTP/1.1 decoder.
 *
 * <p>Threading: the stream channel's event loop. Buffer ownership: the content of a full request
 * moves into the last part passed on.
 */
final class Http2StreamRequestHandler extends ChannelInboundHandlerAdapter {
  private static final CharSequence[] EXTENSION_HEADERS = {
    HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
    HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
    HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
    HttpConversionUtil.ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
    HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
    HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text()
  };

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    HttpHeaders headers = request.headers();
    for (CharSequence name : EXTENSION_HEADERS) {
      headers.remove(name);
    }
    if (msg instanceof FullHttpRequest full && full.decoderResult().isSuccess()) {
      HttpRequest head =
          new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), headers);
      ctx.fireChannelRead(head);
      ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
