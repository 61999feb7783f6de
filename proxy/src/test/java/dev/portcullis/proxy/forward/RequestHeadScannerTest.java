package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The raw-byte head scan, fed in every split a network could produce: whole, and one byte at a
 * time. Bodies are skipped, so what looks like folding inside a body is not refused.
 */
class RequestHeadScannerTest {

  /** Scans the text in pieces of {@code piece} bytes; true when all of it was accepted. */
  private static boolean accepts(String text, int piece) {
    RequestHeadScanner scanner = new RequestHeadScanner();
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i += piece) {
      ByteBuf buf = Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i));
      if (!scanner.scan(buf)) {
        return false;
      }
    }
    return true;
  }

  private static void assertAccepted(String text) {
    assertThat(accepts(text, Integer.MAX_VALUE)).as("whole").isTrue();
    assertThat(accepts(text, 1)).as("byte by byte").isTrue();
    assertThat(accepts(text, 7)).as("in 7-byte pieces").isTrue();
  }

  private static void assertRefused(String text) {
    assertThat(accepts(text, Integer.MAX_VALUE)).as("whole").isFalse();
    assertThat(accepts(text, 1)).as("byte by byte").isFalse();
    assertThat(accepts(text, 7)).as("in 7-byte pieces").isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n\tb\r\n\r\n",
        "GET / HTTP/1.1\r\n Host: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n  , 4\r\n\r\nabcd",
        "GET / HTTP/1.1\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\n",
        "GET / HTTP/1.1\r\nX-A: b\rc\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\r\r\n"
      })
  void foldedHeadsAndBareLineEndingsAreRefused(String head) {
    assertRefused(head);
  }

  @Test
  void theReasonSaysWhich() {
    RequestHeadScanner scanner = new RequestHeadScanner();
    scanner.scan(
        Unpooled.copiedBuffer("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", StandardCharsets.US_ASCII));
    assertThat(scanner.rejection()).isSameAs(RequestHeadScanner.OBS_FOLD);
    scanner = new RequestHeadScanner();
    scanner.scan(Unpooled.copiedBuffer("GET / HTTP/1.1\nX: a\r\n\r\n", StandardCharsets.US_ASCII));
    assertThat(scanner.rejection()).isSameAs(RequestHeadScanner.BARE_LINE_END);
  }

  @Test
  void foldingLookalikesInsideBodiesAreSkippedNotRefused() {
    String body = "line\r\n folded\r\n\tlooking\nbare\r\n\r\n";
    assertAccepted(
        "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body
            + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
    assertAccepted(
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(body.length())
            + ";ext=1\r\n"
            + body
            + "\r\n"
            + "3\r\n\r\n \r\n0\r\nTrailer: x\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
    assertAccepted(
        "POST /a HTTP/1.1\r\nhost: h\r\ncontent-length:  5 \r\n\r\n\r\n \r\n"
            + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
  }

  @Test
  void aFoldedHeadAfterABodyIsFoundWhereverThePiecesSplit() {
    String first = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n\r\n x";
    assertRefused(first + "GET /b HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n");
    assertRefused(
        "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\r\n x\r\n0\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n");
  }

  @Test
  void framingTheDecoderRefusesEndsTheScanRatherThanGuessing() {
    RequestHeadScanner scanner = new RequestHeadScanner();
    assertThat(
            scanner.scan(
                Unpooled.copiedBuffer(
                    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                    StandardCharsets.US_ASCII)))
        .isTrue();
    assertThat(scanner.passingThrough()).isTrue();
  }

  @Test
  void theRefusedHeadStartIsWhereTheEarlierRequestsEnd() {
    String first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    RequestHeadScanner scanner = new RequestHeadScanner();
    ByteBuf buf =
        Unpooled.copiedBuffer(
            first + "GET /b HTTP/1.1\r\nX: a\r\n b\r\n\r\n", StandardCharsets.US_ASCII);
    assertThat(scanner.scan(buf)).isFalse();
    assertThat(scanner.rejectedHeadStart()).isEqualTo(first.length());
  }

  @Test
  void theHandlerPassesEarlierRequestsOnAndAStandInForTheRefusedOne() {
    EmbeddedChannel channel = new EmbeddedChannel(new RequestHeadScanHandler());
    String first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    channel.writeInbound(
        Unpooled.copiedBuffer(
            first + "GET /b HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n", StandardCharsets.US_ASCII));
    channel.writeInbound(
        Unpooled.copiedBuffer("\r\nGET /c HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII));
    ByteBuf passed = channel.readInbound();
    assertThat(passed.toString(StandardCharsets.US_ASCII)).isEqualTo(first);
    passed.release();
    Object standIn = channel.readInbound();
    assertThat(standIn).isInstanceOf(HttpRequest.class);
    assertThat(((HttpRequest) standIn).decoderResult().cause())
        .isSameAs(RequestHeadScanner.OBS_FOLD);
    ReferenceCountUtil.release(standIn);
    assertThat((Object) channel.readInbound()).as("nothing after the refused head").isNull();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }
}
