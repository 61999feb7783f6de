package dev.portcullis.proxy.forward;

import dev.portcullis.core.pipeline.HeaderNames;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * X-Request-Id values: a client's own id is kept when it is a plausible id (so a caller can follow
 * its request through the logs), anything else is replaced, since the id lands in log lines and
 * response headers and must not carry injected text.
 */
final class RequestIds {
  static final AsciiString HEADER = HeaderNames.of("x-request-id");
  private static final int MAX_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  static String acceptOrGenerate(String fromClient) {
    return isAcceptable(fromClient) ? fromClient : generate();
  }

  static boolean isAcceptable(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A random version-4 UUID in its usual text form, without SecureRandom's cost per request. */
  static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    char[] out = new char[36];
    int pos = 0;
    for (int i = 15; i >= 0; i--) {
      if (pos == 8 || pos == 13) {
        out[pos++] = '-';
      }
      out[pos++] = HEX[(int) (hi >>> (i * 4)) & 0xF];
    }
    for (int i = 15; i >= 0; i--) {
      if (pos == 18 || pos == 23) {
        out[pos++] = '-';
      }
      out[pos++] = HEX[(int) (lo >>> (i * 4)) & 0xF];
    }
    return new String(out);
  }
}
