package dev.portcullis.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * On a plain listener with h2c on: looks at a connection's first bytes and installs HTTP/2 when
 * they are the prior-knowledge preface ({@code PRI * HTTP/2.0...}), HTTP/1.1 on the first byte that
 * differs. Removes itself; the bytes it looked at go on to the chosen codec. HTTP/1.1's {@code
 * Upgrade: h2c} is not offered: the gateway strips {@code Upgrade} like any hop-by-hop header.
 *
 * <p>Buffers at most the 24 preface bytes; AUTO_READ is off, and the decoder asks for the next read
 * itself while it has produced nothing.
 */
final class H2cPrefaceHandler extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE =
      Unpooled.unreleasableBuffer(
          Unpooled.wrappedBuffer(
              "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
  private static final int PREFACE_LENGTH = PREFACE.readableBytes();

  private final DownstreamChannelInitializer initializer;

  H2cPrefaceHandler(DownstreamChannelInitializer initializer) {
    this.initializer = initializer;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE_LENGTH);
    boolean matches = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n);
    if (matches && n < PREFACE_LENGTH) {
      return; // so far it could be either
    }
    if (matches) {
      initializer.configureHttp2(ctx.pipeline());
    } else {
      initializer.configureHttp1(ctx.pipeline());
    }
    // Removing a decoder hands what it has buffered to the handler after it.
    ctx.pipeline().remove(this);
  }
}
