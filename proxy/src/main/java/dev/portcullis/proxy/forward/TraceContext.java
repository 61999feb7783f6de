package dev.portcullis.proxy.forward;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The trace an exchange belongs to, and the gateway's own span in it.
 *
 * <p>Taken from a valid W3C {@code traceparent}, else from B3 ({@code b3} single header, or {@code
 * X-B3-TraceId}/{@code X-B3-SpanId}/{@code X-B3-Sampled}), else started here. The upstream always
 * receives a W3C {@code traceparent} with the same trace id and the gateway's span as its parent;
 * {@code tracestate} passes through only alongside a valid {@code traceparent}, as the W3C spec
 * requires. Ids are lowercase hex; all-zero ids are invalid.
 */
final class TraceContext {
  static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  final String traceId;
  final String spanId;
  final boolean sampled;

  /** Whether the trace came from a valid W3C traceparent (so tracestate is meaningful). */
  final boolean fromW3c;

  private TraceContext(String traceId, boolean sampled, boolean fromW3c) {
    this.traceId = traceId;
    this.spanId = randomHex(8);
    this.sampled = sampled;
    this.fromW3c = fromW3c;
  }

  static TraceContext of(HttpHeaders headers) {
    String parent = headers.get(TRACEPARENT);
    if (parent != null && isValidTraceparent(parent)) {
      return new TraceContext(
          parent.substring(3, 35), (hexValue(parent.charAt(54)) & 1) == 1, true);
    }
    String b3 = headers.get("b3");
    if (b3 != null) {
      int dash = b3.indexOf('-');
      String traceId = b3Trace(dash < 0 ? b3 : b3.substring(0, dash));
      if (traceId != null) {
        boolean sampled = !b3.endsWith("-0");
        return new TraceContext(traceId, sampled, false);
      }
    }
    String b3TraceId = b3Trace(headers.get("x-b3-traceid"));
    if (b3TraceId != null) {
      return new TraceContext(b3TraceId, !"0".equals(headers.get("x-b3-sampled")), false);
    }
    return new TraceContext(randomHex(16), true, false);
  }

  /** The {@code traceparent} the upstream receives: this trace, the gateway's span as parent. */
  String upstreamTraceparent() {
    return "00-" + traceId + '-' + spanId + (sampled ? "-01" : "-00");
  }

  /** Writes the propagation headers of the request going upstream. */
  void propagate(HttpHeaders headers) {
    headers.set(TRACEPARENT, upstreamTraceparent());
    if (!fromW3c) {
      headers.remove(TRACESTATE);
    }
  }

  /** version 00: {@code 00-<32 hex>-<16 hex>-<2 hex>}; later versions may append fields. */
  static boolean isValidTraceparent(String value) {
    if (value.length() < 55 || (value.length() > 55 && value.charAt(55) != '-')) {
      return false;
    }
    if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return false;
    }
    String version = value.substring(0, 2);
    if (!isLowerHex(version, 0, 2) || version.equals("ff")) {
      return false;
    }
    if (version.equals("00") && value.length() != 55) {
      return false;
    }
    return isLowerHex(value, 3, 35)
        && !isZero(value, 3, 35)
        && isLowerHex(value, 36, 52)
        && !isZero(value, 36, 52)
        && isLowerHex(value, 53, 55);
  }

  /** A B3 trace id of 16 or 32 hex characters, as 32 (left-padded with zeros), or null. */
  private static String b3Trace(String id) {
    if (id == null || (id.length() != 16 && id.length() != 32)) {
      return null;
    }
    String lower = id.toLowerCase(java.util.Locale.ROOT);
    if (!isLowerHex(lower, 0, lower.length()) || isZero(lower, 0, lower.length())) {
      return null;
    }
    return lower.length() == 32 ? lower : "0000000000000000" + lower;
  }

  private static boolean isLowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (hexValue(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  private static boolean isZero(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  private static String randomHex(int bytes) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[bytes * 2];
    do {
      for (int i = 0; i < out.length; i += 16) {
        long bits = random.nextLong();
        for (int j = 0; j < 16 && i + j < out.length; j++) {
          out[i + j] = HEX[(int) (bits >>> (60 - 4 * j)) & 0xF];
        }
      }
    } while (isZero(new String(out), 0, out.length));
    return new String(out);
  }
}
