package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.core.config.Secret;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyFormatTest {
  private final SecureRandom random = new SecureRandom();

  @ParameterizedTest
  @EnumSource(
      value = ApiKeyType.class,
      names = {"USER", "SERVICE", "ADMIN"})
  void generatedKeysParseBackWithTheirTypeAndId(ApiKeyType type) {
    ParsedApiKey key = ApiKeyFormat.generate(type, random);
    assertThat(key.clearText()).startsWith(type.prefix()).matches("atl_[a-z]+_[A-Za-z0-9_-]{61}");
    assertThat(key.keyId()).hasSize(12);
    assertThat(key.clearText().substring(type.prefix().length())).startsWith(key.keyId());
    ParsedApiKey parsed = ApiKeyFormat.parse(key.clearText());
    assertThat(parsed).isEqualTo(key);
    assertThat(key.toString())
        .doesNotContain(key.clearText().substring(type.prefix().length() + 12));
  }

  @Test
  void aKeyIdNeverStartsWithADashSoTheCommandLineTakesItAsAnId() {
    SecureRandom firstIdStartsWithADash =
        new SecureRandom() {
          private int draws;

          @Override
          public void nextBytes(byte[] bytes) {
            super.nextBytes(bytes);
            if (draws++ == 0) {
              bytes[0] = (byte) (62 << 2); // base64url '-'
            }
          }
        };
    ParsedApiKey key = ApiKeyFormat.generate(ApiKeyType.USER, firstIdStartsWithADash);
    assertThat(key.keyId()).doesNotStartWith("-").hasSize(12);
    assertThat(ApiKeyFormat.parse(key.clearText())).isEqualTo(key);
  }

  @Test
  void keysAreUniqueAndCarry32BytesOfSecret() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(seen.add(ApiKeyFormat.generate(ApiKeyType.USER, random).clearText())).isTrue();
    }
    assertThat(ApiKeyFormat.SECRET_CHARS).isEqualTo(43); // ceil(32 * 8 / 6)
  }

  @Test
  void everySingleCharacterTypoIsCaughtByTheChecksum() {
    String key = ApiKeyFormat.generate(ApiKeyType.SERVICE, random).clearText();
    int prefix = ApiKeyType.SERVICE.prefix().length();
    for (int i = prefix; i < key.length(); i++) {
      char replacement = key.charAt(i) == 'A' ? 'B' : 'A';
      String typo = key.substring(0, i) + replacement + key.substring(i + 1);
      assertThat(ApiKeyFormat.parse(typo)).as("typo at %d", i).isNull();
    }
    assertThat(ApiKeyFormat.parse(key.substring(0, key.length() - 1))).isNull();
    assertThat(ApiKeyFormat.parse(key + "A")).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "atl_user_",
        "atl_robot_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Bearer x",
        "0123456789ABCDEF0123456789abcdef",
        "0123456789abcdef0123456789abcde"
      })
  void malformedKeysAreRefusedWithoutAnException(String text) {
    assertThat(ApiKeyFormat.parse(text)).isNull();
    assertThat(ApiKeyFormat.looksLikeKey(text)).isFalse();
  }

  /**
   * Each text has a valid checksum over its characters, so only the alphabet check can refuse it.
   * {@code \u0141} has the low byte of {@code 'A'}.
   */
  @ParameterizedTest
  @ValueSource(strings = {"+", "/", "=", ".", " ", "\u00c1", "\u0141", "\u0000"})
  void aKeyWithACharacterOutsideBase64UrlIsRefusedEvenWithAMatchingChecksum(String bad) {
    String good = ApiKeyFormat.generate(ApiKeyType.USER, random).clearText();
    int prefix = ApiKeyType.USER.prefix().length();
    String body =
        good.substring(0, prefix + 20) + bad + good.substring(prefix + 21, good.length() - 6);
    String withChecksum = body + checksumOf(body);
    String validControl =
        good.substring(0, good.length() - 6) + checksumOf(good.substring(0, good.length() - 6));

    assertThat(ApiKeyFormat.parse(validControl)).isNotNull();
    assertThat(ApiKeyFormat.parse(withChecksum)).isNull();
  }

  private static String checksumOf(String text) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    long value = crc.getValue();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char[] out = new char[6];
    for (int i = 5; i >= 0; i--) {
      out[i] = alphabet.charAt((int) (value & 63));
      value >>>= 6;
    }
    return new String(out);
  }

  @Test
  void legacyHexKeysAreRecognisedWithoutAnId() {
    ParsedApiKey legacy = ApiKeyFormat.parse("0123456789abcdef0123456789abcdef");
    assertThat(legacy.type()).isEqualTo(ApiKeyType.LEGACY);
    assertThat(legacy.keyId()).isNull();
    assertThatThrownBy(() -> ApiKeyFormat.generate(ApiKeyType.LEGACY, random))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hashesArePepperedAndComparedExactly() {
    String key = ApiKeyFormat.generate(ApiKeyType.USER, random).clearText();
    ApiKeyHasher hasher = new ApiKeyHasher(Secret.of("p".repeat(40)));
    ApiKeyHasher otherPepper = new ApiKeyHasher(Secret.of("q".repeat(40)));
    byte[] stored = hasher.hash(key);
    assertThat(stored).hasSize(32);
    assertThat(hasher.matches(key, stored)).isTrue();
    assertThat(otherPepper.matches(key, stored)).isFalse();
    assertThat(hasher.matches(key + "x", stored)).isFalse();
    assertThatThrownBy(() -> new ApiKeyHasher(Secret.of("short")))
        .hasMessage("api key pepper: too short (expected: at least 32 characters of random text)");
  }
}
