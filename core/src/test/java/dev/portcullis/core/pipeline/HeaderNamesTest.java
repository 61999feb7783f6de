package dev.portcullis.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderNamesTest {

  @Test
  void aCheckedNameWorksInTheGatewaysHeadersLikeAnyOther() {
    AsciiString name = HeaderNames.of("X-Portcullis-Test");
    HttpHeaders headers = HeaderNames.headersFactory().newHeaders();

    headers.add("x-portcullis-test", "client");
    headers.set(name, "gateway");

    assertThat(headers.getAll("X-PORTCULLIS-TEST")).containsExactly("gateway");
    assertThat(name.toString()).isEqualTo("X-Portcullis-Test");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bad name", "x\r\ninjected: 1", "colon:", "caf\u00e9"})
  void aNameThatIsNotATokenIsRefusedWhenMade(String name) {
    assertThatThrownBy(() -> HeaderNames.of(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bad name", "x\r\ninjected: 1", "colon:"})
  void namesFromElsewhereAreStillChecked(String name) {
    HttpHeaders headers = HeaderNames.headersFactory().newHeaders();

    assertThatThrownBy(() -> headers.add(name, "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> headers.set(new AsciiString(name), "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(headers.isEmpty()).isTrue();
  }

  @Test
  void anEmptyViewOfTheCheckedBytesIsStillRefused() {
    AsciiString empty = HeaderNames.of("x-abc").subSequence(1, 1, false);
    HttpHeaders headers = HeaderNames.headersFactory().newHeaders();

    assertThatThrownBy(() -> headers.add(empty, "v")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyNamesMadeByTheArenaAreRecognised() {
    HeaderNames.Arena arena = new HeaderNames.Arena(64);
    AsciiString made = arena.of("x-made");

    assertThat(arena.holds(made)).isTrue();
    assertThat(arena.holds(new AsciiString("x-made"))).isFalse();
    assertThat(arena.holds("x-made")).isFalse();
    assertThat(arena.holds(new HeaderNames.Arena(64).of("x-made"))).isFalse();
    assertThat(arena.holds(made.subSequence(0, 0, false))).isFalse();
  }

  @Test
  void aFullArenaStillChecksAndReturnsWorkingNames() {
    HeaderNames.Arena arena = new HeaderNames.Arena(16);
    AsciiString first = arena.of("x-twelve-chr");
    AsciiString overflow = arena.of("x-does-not-fit");

    assertThat(arena.holds(first)).isTrue();
    assertThat(arena.holds(overflow)).isFalse();
    assertThat(overflow.toString()).isEqualTo("x-does-not-fit");
    assertThat(first.toString()).isEqualTo("x-twelve-chr");
    assertThatThrownBy(() -> arena.of("bad name")).isInstanceOf(IllegalArgumentException.class);
  }
}
