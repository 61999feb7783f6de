package dev.portcullis.core.pipeline;

import io.netty.handler.codec.DefaultHeaders.ValueValidator;
import io.netty.util.AsciiString;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The header-value check of the gateway's headers: Netty's rule (RFC 9110 field-value: no control
 * character but HTAB, no DEL, not starting with whitespace; bytes 0x80-0xFF allowed as obs-text),
 * eight bytes at a time for {@link AsciiString} values.
 *
 * <p>Netty checks every value on every {@code set} and {@code add} one byte at a time. The identity
 * token the gateway sets on each request is 600-900 bytes, and checking it byte by byte was about
 * 1% of the event loop's samples in {@code bench/run-profile full}. Values that are {@code String}s
 * (what Netty's HTTP/1.1 decoder makes) keep Netty's per-character check: their bytes are not
 * reachable without a copy. Stateless and thread-safe.
 */
public final class HeaderValues {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long SPACES = 0x2020202020202020L;
  private static final long DELS = 0x7F7F7F7F7F7F7F7FL;

  static final ValueValidator<CharSequence> VALIDATOR =
      value -> {
        int index = firstInvalid(value);
        if (index != -1) {
          throw new IllegalArgumentException(
              "a header value contains prohibited character 0x"
                  + Integer.toHexString(value.charAt(index))
                  + " at index "
                  + index
                  + '.');
        }
      };

  private HeaderValues() {}

  /** The index of the first character a header value may not have there, or -1 for none. */
  public static int firstInvalid(CharSequence value) {
    int length = value.length();
    if (length == 0) {
      return -1;
    }
    if (value instanceof AsciiString ascii) {
      return firstInvalid(ascii.array(), ascii.arrayOffset(), length);
    }
    char first = value.charAt(0);
    if (first < 0x21 || first == 0x7F) {
      return 0;
    }
    for (int i = 1; i < length; i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return i;
      }
    }
    return -1;
  }

  private static int firstInvalid(byte[] bytes, int offset, int length) {
    int first = bytes[offset] & 0xFF;
    if (first < 0x21 || first == 0x7F) {
      return 0;
    }
    int end = offset + length;
    int i = offset + 1;
    // A word with no byte below 0x20 and no 0x7F is valid whole. The tests are exact for the word
    // as a whole (bytes of 0x80 and above have their high bit set in x and pass both); a word that
    // fails one, such as one holding a tab, is looked at byte by byte.
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      long x = (long) LONGS.get(bytes, i);
      long below = (x - SPACES) & ~x & HIGHS;
      long y = x ^ DELS;
      long del = (y - ONES) & ~y & HIGHS;
      if ((below | del) != 0) {
        int bad = firstInvalidByte(bytes, i, i + Long.BYTES);
        if (bad != -1) {
          return bad - offset;
        }
      }
    }
    int bad = firstInvalidByte(bytes, i, end);
    return bad == -1 ? -1 : bad - offset;
  }

  private static int firstInvalidByte(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      int b = bytes[i] & 0xFF;
      if ((b < 0x20 && b != '\t') || b == 0x7F) {
        return i;
      }
    }
    return -1;
  }
}
