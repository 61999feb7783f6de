package dev.portcullis.proxy.compression;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Compresses responses to the client as they stream: Netty's {@link HttpContentCompressor} (gzip,
 * deflate, brotli) with the gateway's rules on top. Netty's own size threshold only sees responses
 * that arrive whole, and it compresses any content type; so the threshold, the content types, the
 * coding negotiation with q-values and the exclusions (already encoded, 206, {@code no-transform})
 * are decided here by {@link CompressionPolicy}, and Netty's threshold is off.
 *
 * <p>A compressed response loses its Content-Length and goes out chunked, part by part as the
 * upstream sends it (nothing is aggregated); a strong ETag becomes weak, since the bytes differ.
 * {@code Vary: Accept-Encoding} goes on every response whose form depends on Accept-Encoding,
 * compressed or not, so caches keep the forms apart.
 *
 * <p>Sits between the HTTP codec and the forwarding handler: it reads each request's
 * Accept-Encoding as the request passes and pairs it with the response, in order. Threading: one
 * instance per channel, on its event loop. Buffers: each response part written through it is
 * released once compressed; the compressed parts it writes on belong to the codec below.
 */
public final class ResponseCompressionHandler extends HttpContentCompressor {
  private final CompressionPolicy policy;

  /**
   * Per pending request, whether it came over HTTP/1.1: the gateway answers every client in
   * HTTP/1.1 form, so Netty's own HTTP/1.0 exclusion never sees the client's version, and an
   * HTTP/1.0 client cannot read the chunked framing a compressed body needs.
   */
  private final ArrayDeque<Boolean> http11 = new ArrayDeque<>(4);

  private boolean currentHttp11;

  public ResponseCompressionHandler(CompressionPolicy policy) {
    super(0, policy.options());
    this.policy = policy;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, HttpRequest msg, List<Object> out)
      throws Exception {
    super.decode(ctx, msg, out);
    http11.add(msg.protocolVersion().equals(HttpVersion.HTTP_1_1) ? Boolean.TRUE : Boolean.FALSE);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out)
      throws Exception {
    if (msg instanceof HttpResponse response
        && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      Boolean next = http11.poll();
      currentHttp11 = next != null && next;
    }
    super.encode(ctx, msg, out);
  }

  @Override
  protected Result beginEncode(HttpResponse response, String acceptEncoding) throws Exception {
    if (!currentHttp11 || !policy.eligible(response)) {
      return null;
    }
    HttpHeaders headers = response.headers();
    addVary(headers);
    Result result = super.beginEncode(response, acceptEncoding);
    if (result != null) {
      String etag = headers.get(HttpHeaderNames.ETAG);
      if (etag != null && !etag.startsWith("W/")) {
        headers.set(HttpHeaderNames.ETAG, "W/" + etag);
      }
    }
    return result;
  }

  @Override
  protected String determineEncoding(String acceptEncoding) {
    return policy.negotiate(acceptEncoding);
  }

  private static void addVary(HttpHeaders headers) {
    String vary = headers.get(HttpHeaderNames.VARY);
    if (vary == null) {
      headers.set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
    } else if (!vary.trim().equals("*")
        && !CompressionPolicy.containsIgnoreCase(vary, "accept-encoding")) {
      headers.set(HttpHeaderNames.VARY, vary + ", Accept-Encoding");
    }
  }
}
