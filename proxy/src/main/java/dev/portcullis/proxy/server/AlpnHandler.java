package dev.portcullis.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the TLS handshake, installs the handlers of the protocol the client chose by ALPN: {@code
 * h2}, or HTTP/1.1 (also when the client offered no ALPN at all). Removes itself.
 */
final class AlpnHandler extends ApplicationProtocolNegotiationHandler {
  private static final Logger log = LoggerFactory.getLogger(AlpnHandler.class);

  private final DownstreamChannelInitializer initializer;

  AlpnHandler(DownstreamChannelInitializer initializer) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.initializer = initializer;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      initializer.configureHttp2(ctx.pipeline());
    } else {
      initializer.configureHttp1(ctx.pipeline());
    }
  }

  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    // Scanners and clients with old TLS versions: worth a debug line, not a warning each.
    log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (cause.getCause() instanceof SSLException || cause instanceof SSLException) {
      log.debug("TLS error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
      return;
    }
    super.exceptionCaught(ctx, cause);
  }
}
