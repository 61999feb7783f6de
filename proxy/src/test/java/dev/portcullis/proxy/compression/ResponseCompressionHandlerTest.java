package dev.portcullis.proxy.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.CompressionConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handler's header rules on one channel; the coding itself is covered end to end. */
class ResponseCompressionHandlerTest {
  private final CompressionPolicy policy =
      new CompressionPolicy(
          new CompressionConfig(
              true, 1024, CompressionConfig.DEFAULTS.contentTypes(), List.of("gzip"), 6, 6, 4));

  private HttpResponse respond(
      EmbeddedChannel channel, String acceptEncoding, HttpResponse response) {
    return respond(channel, HttpVersion.HTTP_1_1, HttpMethod.GET, acceptEncoding, response);
  }

  private HttpResponse respond(
      EmbeddedChannel channel,
      HttpVersion version,
      HttpMethod method,
      String acceptEncoding,
      HttpResponse response) {
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(version, method, "/");
    if (acceptEncoding != null) {
      request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, acceptEncoding);
    }
    channel.writeInbound(request);
    ReferenceCountUtil.release(channel.readInbound());
    channel.writeOutbound(response);
    HttpResponse head = channel.readOutbound();
    if (!(response instanceof FullHttpResponse)) {
      channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
      for (Object part; (part = channel.readOutbound()) != null; ) {
        ReferenceCountUtil.release(part);
      }
    }
    return head;
  }

  private static HttpResponse streamed(int status, String type, String length) {
    HttpResponse response =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    if (length != null) {
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    }
    return response;
  }

  @Test
  void aCompressedResponseVariesGoesChunkedAndWeakensItsEtag() {
    EmbeddedChannel channel = new EmbeddedChannel(new ResponseCompressionHandler(policy));
    HttpResponse response = streamed(200, "application/json", "50000");
    response.headers().set(HttpHeaderNames.VARY, "Origin");
    response.headers().set(HttpHeaderNames.ETAG, "\"v1\"");
    HttpResponse out = respond(channel, "gzip", response);
    assertThat(out.headers().get(HttpHeaderNames.CONTENT_ENCODING)).isEqualTo("gzip");
    assertThat(out.headers().get(HttpHeaderNames.VARY))
        .isEqualToIgnoringCase("Origin, Accept-Encoding");
    assertThat(out.headers().get(HttpHeaderNames.ETAG)).isEqualTo("W/\"v1\"");
    assertThat(out.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
    assertThat(out.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
    channel.finishAndReleaseAll();
  }

  @Test
  void partialContentAndNoTransformAreLeftAlone() {
    EmbeddedChannel channel = new EmbeddedChannel(new ResponseCompressionHandler(policy));
    HttpResponse partial = streamed(206, "text/plain", "50000");
    partial.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes 0-49999/100000");
    assertThat(
            respond(channel, "gzip", partial).headers().contains(HttpHeaderNames.CONTENT_ENCODING))
        .isFalse();
    HttpResponse noTransform = streamed(200, "text/plain", "50000");
    noTransform.headers().set(HttpHeaderNames.CACHE_CONTROL, "public, No-Transform");
    HttpResponse out = respond(channel, "gzip", noTransform);
    assertThat(out.headers().contains(HttpHeaderNames.CONTENT_ENCODING)).isFalse();
    assertThat(out.headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("50000");
    channel.finishAndReleaseAll();
  }

  @Test
  void aSmallWholeResponseIsLeftAloneAndAVaryStarIsKept() {
    EmbeddedChannel channel = new EmbeddedChannel(new ResponseCompressionHandler(policy));
    DefaultFullHttpResponse small =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[100]));
    small.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    HttpResponse out = respond(channel, "gzip", small);
    assertThat(out.headers().contains(HttpHeaderNames.CONTENT_ENCODING)).isFalse();
    ReferenceCountUtil.release(out);
    HttpResponse star = streamed(200, "text/plain", null);
    star.headers().set(HttpHeaderNames.VARY, "*");
    assertThat(respond(channel, "gzip", star).headers().get(HttpHeaderNames.VARY)).isEqualTo("*");
    channel.finishAndReleaseAll();
  }

  @Test
  void withoutAnAcceptableCodingAResponseVariesWhereACodingCouldHaveApplied() {
    EmbeddedChannel channel = new EmbeddedChannel(new ResponseCompressionHandler(policy));
    for (String acceptEncoding : new String[] {null, "identity", "br, compress", "gzip;q=0"}) {
      HttpResponse out =
          respond(channel, acceptEncoding, streamed(200, "application/json", "5000"));
      assertThat(out.headers().get(HttpHeaderNames.VARY)).isEqualToIgnoringCase("Accept-Encoding");
      assertThat(out.headers().contains(HttpHeaderNames.CONTENT_ENCODING)).isFalse();
      assertThat(out.headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("5000");
    }
    HttpResponse origin = streamed(200, "text/plain", null);
    origin.headers().set(HttpHeaderNames.VARY, "Origin");
    assertThat(respond(channel, null, origin).headers().get(HttpHeaderNames.VARY))
        .isEqualToIgnoringCase("Origin, Accept-Encoding");
    // Nothing a coding could have changed: no Vary, as on the codec's own path.
    assertThat(varyOf(respond(channel, null, streamed(200, "image/png", "5000")))).isNull();
    assertThat(varyOf(respond(channel, null, streamed(200, "text/plain", "10")))).isNull();
    assertThat(varyOf(respond(channel, null, streamed(204, "text/plain", null)))).isNull();
    assertThat(varyOf(respond(channel, null, streamed(304, "text/plain", "5000")))).isNull();
    DefaultFullHttpResponse empty =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    empty.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    assertThat(varyOf(respond(channel, null, empty))).isNull();
    assertThat(
            varyOf(
                respond(
                    channel,
                    HttpVersion.HTTP_1_1,
                    HttpMethod.HEAD,
                    null,
                    streamed(200, "text/plain", "5000"))))
        .isNull();
    assertThat(
            varyOf(
                respond(
                    channel,
                    HttpVersion.HTTP_1_0,
                    HttpMethod.GET,
                    null,
                    streamed(200, "text/plain", "5000"))))
        .isNull();
    channel.finishAndReleaseAll();
  }

  @Test
  void responsesStayPairedWithTheirRequestsAcrossBothPathsAndInterimResponses() {
    EmbeddedChannel channel = new EmbeddedChannel(new ResponseCompressionHandler(policy));
    for (String acceptEncoding : new String[] {null, "gzip", null, "gzip", "gzip", null}) {
      DefaultFullHttpRequest request =
          new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
      if (acceptEncoding != null) {
        request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, acceptEncoding);
      }
      channel.writeInbound(request);
      ReferenceCountUtil.release(channel.readInbound());
    }
    for (String expected : new String[] {null, "gzip", null, "gzip", "gzip", null}) {
      // An interim 100 answers no request of its own: the final response is still paired.
      channel.writeOutbound(
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
      HttpResponse interim = channel.readOutbound();
      assertThat(interim.status()).isEqualTo(HttpResponseStatus.CONTINUE);
      ReferenceCountUtil.release(interim);
      channel.writeOutbound(streamed(200, "text/plain", "50000"));
      HttpResponse head = channel.readOutbound();
      assertThat(head.headers().get(HttpHeaderNames.CONTENT_ENCODING)).isEqualTo(expected);
      assertThat(head.headers().get(HttpHeaderNames.VARY)).isEqualToIgnoringCase("Accept-Encoding");
      channel.writeOutbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[50000])));
      for (Object part; (part = channel.readOutbound()) != null; ) {
        ReferenceCountUtil.release(part);
      }
    }
    channel.finishAndReleaseAll();
  }

  private static String varyOf(HttpResponse response) {
    ReferenceCountUtil.release(response);
    return response.headers().get(HttpHeaderNames.VARY);
  }
}
