package dev.portcullis.proxy.compression;

import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

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

  public ResponseCompressionHandler(CompressionPolicy policy) {
    super(0, policy.options());
    this.policy = policy;
  }

  @Override
  protected Result beginEncode(HttpResponse response, String acceptEncoding) throws Exception {
    if (!policy.eligible(response)) {
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
