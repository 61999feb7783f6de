package dev.portcullis.proxy.forward;

import dev.portcullis.core.pipeline.HeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
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
  static final AsciiString TRACEPARENT = HeaderNames.of("traceparent");
  static final AsciiString TRACESTATE = HeaderNames.of("tracestate");
  private static final AsciiString B3 = HeaderNames.of("b3");
  private static final AsciiString X_B3_TRACE_ID = HeaderNames.of("x-b3-traceid");
  private static final AsciiString X_B3_SAMPLED = HeaderNames.of("x-b3-sampled");
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  // Offsets in "00-<trace id>-<parent span id>-<flags>".
  private static final int TRACE_AT = 3;
  private static final int SPAN_AT = 36;
  private static final int FLAGS_AT = 53;
  private static final int TRACEPARENT_LENGTH = 55;

  final String traceId;
  final boolean sampled;

  /** Whether the trace came from a valid W3C traceparent (so tracestate is meaningful). */
  final boolean fromW3c;

  /**
   * What the upstream receives, written once as bytes: every request carries one, so the ids are
   * hex-encoded straight into it rather than through strings.
   */
  private final AsciiString traceparent;

  /** Continues a trace whose 32-hex id came with the request. */
  private TraceContext(String traceId, boolean sampled, boolean fromW3c) {
    byte[] bytes = newTraceparent(sampled);
    for (int i = 0; i < 32; i++) {
      bytes[TRACE_AT + i] = (byte) traceId.charAt(i);
    }
    this.traceId = traceId;
    this.sampled = sampled;
    this.fromW3c = fromW3c;
    this.traceparent = new AsciiString(bytes, false);
  }

  /** Starts a new sampled trace here. */
  private TraceContext() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high;
    long low;
    do {
      high = random.nextLong();
      low = random.nextLong();
    } while (high == 0 && low == 0); // an all-zero trace id is invalid
    byte[] bytes = newTraceparent(true);
    writeHex(high, bytes, TRACE_AT);
    writeHex(low, bytes, TRACE_AT + 16);
    this.traceId = new String(bytes, TRACE_AT, 32, StandardCharsets.ISO_8859_1);
    this.sampled = true;
    this.fromW3c = false;
    this.traceparent = new AsciiString(bytes, false);
  }

  /** A traceparent with a fresh span id of the gateway's, the trace id still to be written. */
  private static byte[] newTraceparent(boolean sampled) {
    byte[] bytes = new byte[TRACEPARENT_LENGTH];
    bytes[0] = '0';
    bytes[1] = '0';
    bytes[2] = '-';
    bytes[SPAN_AT - 1] = '-';
    bytes[FLAGS_AT - 1] = '-';
    bytes[FLAGS_AT] = '0';
    bytes[FLAGS_AT + 1] = (byte) (sampled ? '1' : '0');
    long span;
    do {
      span = ThreadLocalRandom.current().nextLong();
    } while (span == 0); // an all-zero span id is invalid
    writeHex(span, bytes, SPAN_AT);
    return bytes;
  }

  private static void writeHex(long bits, byte[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) bits & 0xF];
      bits >>>= 4;
    }
  }

  static TraceContext of(HttpHeaders headers) {
    String parent = headers.get(TRACEPARENT);
    if (parent != null && isValidTraceparent(parent)) {
      return new TraceContext(
          parent.substring(3, 35), (hexValue(parent.charAt(54)) & 1) == 1, true);
    }
    String b3 = headers.get(B3);
    if (b3 != null) {
      int dash = b3.indexOf('-');
      String traceId = b3Trace(dash < 0 ? b3 : b3.substring(0, dash));
      if (traceId != null) {
        boolean sampled = !b3.endsWith("-0");
        return new TraceContext(traceId, sampled, false);
      }
    }
    String b3TraceId = b3Trace(headers.get(X_B3_TRACE_ID));
    if (b3TraceId != null) {
      return new TraceContext(b3TraceId, !"0".equals(headers.get(X_B3_SAMPLED)), false);
    }
    return new TraceContext();
  }

  /** The gateway's span id: the parent span the upstream sees. */
  String spanId() {
    return traceparent.toString(SPAN_AT, SPAN_AT + 16);
  }

  /** The {@code traceparent} the upstream receives: this trace, the gateway's span as parent. */
  String upstreamTraceparent() {
    return traceparent.toString();
  }

  /** Writes the propagation headers of the request going upstream. */
  void propagate(HttpHeaders headers) {
    headers.set(TRACEPARENT, traceparent);
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
}
