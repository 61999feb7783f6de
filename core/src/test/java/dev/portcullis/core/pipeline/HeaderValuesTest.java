package dev.portcullis.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderValuesTest {

  /** Bytes around every boundary of the rule, so random values hit each case often. */
  private static final int[] EDGES = {
    0x00, 0x08, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xA0, 0xFF
  };

  @Test
  void agreesWithNettysCheckOnRandomValuesAtEveryOffsetAndLength() {
    SplittableRandom random = new SplittableRandom(8);
    for (int round = 0; round < 20_000; round++) {
      int length = random.nextInt(0, 40);
      int offset = random.nextInt(0, 9);
      byte[] bytes = new byte[offset + length + random.nextInt(0, 9)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (random.nextInt(4) == 0 ? EDGES[random.nextInt(EDGES.length)] : 'a');
      }
      AsciiString value = new AsciiString(bytes, offset, length, false);
      String text = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);

      assertThat(HeaderValues.firstInvalid(value))
          .as("%s", value)
          .isEqualTo(HttpHeaderValidationUtil.validateValidHeaderValue(value));
      assertThat(HeaderValues.firstInvalid(text))
          .isEqualTo(HttpHeaderValidationUtil.validateValidHeaderValue(text));
    }
  }

  @Test
  void findsABadByteInEveryPositionOfALongValue() {
    byte[] token = "Bearer eyJhbGciOiJSUzI1NiJ9.".repeat(30).getBytes(StandardCharsets.US_ASCII);
    assertThat(HeaderValues.firstInvalid(new AsciiString(token))).isEqualTo(-1);
    for (int bad : new int[] {0x00, 0x0A, 0x0D, 0x1F, 0x7F}) {
      for (int at = 1; at < token.length; at++) {
        byte[] broken = token.clone();
        broken[at] = (byte) bad;
        assertThat(HeaderValues.firstInvalid(new AsciiString(broken))).isEqualTo(at);
      }
    }
  }

  @Test
  void tabsAndObsTextInsideAValueAreAllowed() {
    byte[] bytes = "a\tb\u00e9c d\u00ff\t\u0080e".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(HeaderValues.firstInvalid(new AsciiString(bytes))).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ok\r\nX-Injected: 1", " leading space", "\tleading tab", "nul\u0000"})
  void theGatewaysHeadersRefuseAValueThatCouldSplitTheMessage(String value) {
    HttpHeaders headers = HeaderNames.headersFactory().newHeaders();

    assertThatThrownBy(() -> headers.set(HeaderNames.VIA, value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasStackTraceContaining("prohibited character");
    assertThatThrownBy(() -> headers.add("x-other", new AsciiString(value)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(headers.isEmpty()).isTrue();
  }
}
