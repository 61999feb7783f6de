package dev.portcullis.proxy.compression;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
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
 * Accept-Encoding as the request passes and pairs it with the response, in order. A request that
 * accepts no coding the gateway offers (most API clients send no Accept-Encoding) cannot get a
 * compressed response, so it and its response go around Netty's codec, whose pass-through costs a
 * message list and a type check per part: only {@code Vary} is decided for them, by the rule the
 * codec path follows. Threading: one instance per channel, on its event loop. Buffers: each
 * response part written through the codec is released once compressed; the compressed parts it
 * writes on belong to the codec below; parts going around it are passed on untouched.
 */
public final class ResponseCompressionHandler extends HttpContentCompressor {
  /** How a pending request's response is to be written. */
  private enum Pending {
    /** Through Netty's codec, from an HTTP/1.1 client. */
    CODEC_HTTP11,
    /**
     * Through Netty's codec from an HTTP/1.0 client: never compressed, since the gateway answers
     * every client in HTTP/1.1 form, so Netty's own HTTP/1.0 exclusion never sees the client's
     * version, and an HTTP/1.0 client cannot read the chunked framing a compressed body needs.
     */
    CODEC_HTTP10,
    /** Around the codec; {@code Vary} when the response could have been compressed. */
    AROUND_MAY_VARY,
    /** Around the codec, never varying: HEAD, CONNECT or HTTP/1.0, as the codec passes them. */
    AROUND
  }

  private final CompressionPolicy policy;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>(4);
  private boolean currentHttp11;
  private boolean writingAround;

  public ResponseCompressionHandler(CompressionPolicy policy) {
    super(0, policy.options());
    this.policy = policy;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest request) {
      String acceptEncoding = request.headers().get(HttpHeaderNames.ACCEPT_ENCODING);
      if (acceptEncoding == null || policy.negotiate(acceptEncoding) == null) {
        HttpMethod method = request.method();
        boolean mayVary =
            request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && !HttpMethod.HEAD.equals(method)
                && !HttpMethod.CONNECT.equals(method);
        pending.add(mayVary ? Pending.AROUND_MAY_VARY : Pending.AROUND);
        ctx.fireChannelRead(msg);
        return;
      }
      super.channelRead(ctx, msg);
      return;
    }
    ctx.fireChannelRead(msg); // body parts: the codec only looks at requests
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, HttpRequest msg, List<Object> out)
      throws Exception {
    super.decode(ctx, msg, out);
    pending.add(
        msg.protocolVersion().equals(HttpVersion.HTTP_1_1)
            ? Pending.CODEC_HTTP11
            : Pending.CODEC_HTTP10);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        super.write(ctx, msg, promise); // the codec passes these and waits for the final one
        return;
      }
      Pending next = pending.poll();
      writingAround = next == Pending.AROUND_MAY_VARY || next == Pending.AROUND;
      if (writingAround) {
        if (next == Pending.AROUND_MAY_VARY && mayVary(response) && policy.eligible(response)) {
          addVary(response.headers());
        }
      } else {
        currentHttp11 = next == Pending.CODEC_HTTP11;
      }
    }
    if (writingAround) {
      ctx.write(msg, promise);
    } else {
      super.write(ctx, msg, promise);
    }
  }

  /** What the codec path asks before its {@link #beginEncode}: a body that could be encoded. */
  private static boolean mayVary(HttpResponse response) {
    int code = response.status().code();
    if (code == 204 || code == 304) {
      return false;
    }
    return !(response instanceof LastHttpContent whole) || whole.content().isReadable();
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
