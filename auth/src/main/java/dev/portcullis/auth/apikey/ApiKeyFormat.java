package dev.portcullis.auth.apikey;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * The text form of API keys: {@code atl_<type>_<key id><secret><checksum>}, all base64url.
 *
 * <ul>
 *   <li>key id: 9 random bytes (12 characters), not secret; the store looks keys up by it
 *   <li>secret: 32 bytes from {@link SecureRandom} (43 characters)
 *   <li>checksum: CRC-32 of everything before it (6 characters), so a mistyped or truncated key is
 *       refused without a store lookup, and a scanner can tell a real key from lookalike text
 * </ul>
 *
 * Legacy keys are 32 lowercase hex characters; they have neither id nor checksum and are looked up
 * by their hash. Parsing allocates only the parsed record and never throws on bad input.
 */
public final class ApiKeyFormat {
  static final int KEY_ID_BYTES = 9;
  static final int SECRET_BYTES = 32;
  static final int KEY_ID_CHARS = 12;
  static final int SECRET_CHARS = 43;
  static final int CHECKSUM_CHARS = 6;
  private static final int BODY_CHARS = KEY_ID_CHARS + SECRET_CHARS + CHECKSUM_CHARS;
  private static final int LEGACY_CHARS = 32;

  /** {@code values()} copies the array on every call, and parsing runs on every request. */
  private static final ApiKeyType[] TYPES = ApiKeyType.values();

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

  private static final byte[] NOT_BASE64URL = new byte[128];

  static {
    Arrays.fill(NOT_BASE64URL, (byte) 1);
    for (char c : ALPHABET) {
      NOT_BASE64URL[c] = 0;
    }
  }

  private ApiKeyFormat() {}

  /** A new key of {@code type}; its clear text is shown once, at creation, and never stored. */
  public static ParsedApiKey generate(ApiKeyType type, SecureRandom random) {
    if (type == ApiKeyType.LEGACY) {
      throw new IllegalArgumentException("legacy keys are only accepted, never issued");
    }
    byte[] id = new byte[KEY_ID_BYTES];
    byte[] secret = new byte[SECRET_BYTES];
    do {
      random.nextBytes(id);
    } while (ALPHABET[(id[0] & 0xFF) >>> 2] == '-'); // an id is a command-line argument too
    random.nextBytes(secret);
    String keyId = BASE64URL.encodeToString(id);
    String unchecked = type.prefix() + keyId + BASE64URL.encodeToString(secret);
    return new ParsedApiKey(type, keyId, unchecked + checksum(unchecked, unchecked.length()));
  }

  /**
   * A new secret for an existing key id: what rotation issues, so the key keeps its id and its
   * history.
   */
  public static String withNewSecret(ApiKeyType type, String keyId, SecureRandom random) {
    if (type == ApiKeyType.LEGACY || keyId.length() != KEY_ID_CHARS) {
      throw new IllegalArgumentException("only prefixed keys with an id get a new secret");
    }
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    String unchecked = type.prefix() + keyId + BASE64URL.encodeToString(secret);
    return unchecked + checksum(unchecked, unchecked.length());
  }

  /**
   * Whether the text has the prefix and length of one of our keys, whatever its checksum: such a
   * text that does not {@link #parse} is a mistyped key rather than something else entirely.
   */
  public static boolean hasKeyShape(String text) {
    if (text == null) {
      return false;
    }
    for (ApiKeyType type : TYPES) {
      if (!type.prefix().isEmpty()
          && text.startsWith(type.prefix())
          && text.length() == type.prefix().length() + BODY_CHARS) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads a presented key.
   *
   * @return the key, or null when it is not a well-formed key of any type (wrong prefix, length,
   *     alphabet or checksum)
   */
  public static ParsedApiKey parse(String presented) {
    if (presented == null) {
      return null;
    }
    if (presented.length() == LEGACY_CHARS && isLowerHex(presented)) {
      return new ParsedApiKey(ApiKeyType.LEGACY, null, presented);
    }
    for (ApiKeyType type : TYPES) {
      String prefix = type.prefix();
      if (prefix.isEmpty()
          || !presented.startsWith(prefix)
          || presented.length() != prefix.length() + BODY_CHARS) {
        continue;
      }
      int checksumAt = presented.length() - CHECKSUM_CHARS;
      if (!isBase64Url(presented, prefix.length(), presented.length())
          || !checksumMatches(presented, checksumAt)) {
        return null;
      }
      String keyId = presented.substring(prefix.length(), prefix.length() + KEY_ID_CHARS);
      return new ParsedApiKey(type, keyId, presented);
    }
    return null;
  }

  /** Whether the text looks like one of our keys (for a scanner or a log redactor). */
  public static boolean looksLikeKey(String text) {
    return parse(text) != null;
  }

  /** Compares without building the expected text: a refused key allocates nothing. */
  private static boolean checksumMatches(String text, int end) {
    long value = crc(text, end);
    for (int i = CHECKSUM_CHARS - 1; i >= 0; i--) {
      if (text.charAt(end + i) != ALPHABET[(int) (value & 63)]) {
        return false;
      }
      value >>>= 6;
    }
    return true;
  }

  /**
   * CRC-32 of the first {@code end} characters, which are ASCII (the prefix and base64url). One
   * bulk update: the checksum is checked on every request, and updating per character cost a call
   * per character.
   */
  private static long crc(CharSequence text, int end) {
    CRC32 crc = new CRC32();
    crc.update(text.toString().getBytes(StandardCharsets.ISO_8859_1), 0, end);
    return crc.getValue();
  }

  private static String checksum(CharSequence text, int end) {
    long value = crc(text, end);
    char[] out = new char[CHECKSUM_CHARS];
    for (int i = CHECKSUM_CHARS - 1; i >= 0; i--) {
      out[i] = ALPHABET[(int) (value & 63)];
      value >>>= 6;
    }
    return new String(out);
  }

  /**
   * A table, not five range tests: a key's characters are random, so the tests' branches were
   * mispredicted on almost every character of every request.
   */
  private static boolean isBase64Url(String s, int from, int to) {
    int outside = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      outside |= c < 128 ? NOT_BASE64URL[c] : 1;
    }
    return outside == 0;
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
