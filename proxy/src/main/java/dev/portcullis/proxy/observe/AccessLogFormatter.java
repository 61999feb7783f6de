package dev.portcullis.proxy.observe;

import dev.portcullis.proxy.upstream.Target;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Writes access log lines as UTF-8 JSON straight into a byte array it owns: no String, no
 * StringBuilder and no charset encoder per line. It remembers what consecutive lines share (the
 * formatted second of the timestamp, the client address's text, the target's URL), which most lines
 * of a busy gateway repeat.
 *
 * <p>Field names are ECS: {@code http.request.body.bytes} and {@code http.response.body.bytes}
 * rather than {@code http.*.bytes}, because the engine counts bodies, not header bytes. Strings are
 * escaped as Jackson escapes them (quote, backslash, control characters; short forms for {@code \b
 * \t \n \f \r}), and a lone surrogate becomes {@code ?}, as {@link String#getBytes} makes it.
 *
 * <p>Not thread-safe: one per thread.
 */
final class AccessLogFormatter {
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TIMESTAMP = ascii("{\"@timestamp\":\"");
  private static final byte[] DURATION = ascii(",\"event.duration\":");
  private static final byte[] METHOD = ascii(",\"http.request.method\":\"");
  private static final byte[] PATH = ascii(",\"url.path\":\"");
  private static final byte[] STATUS = ascii(",\"http.response.status_code\":");
  private static final byte[] CLIENT = ascii(",\"client.ip\":\"");
  private static final byte[] REQUEST_BYTES = ascii(",\"http.request.body.bytes\":");
  private static final byte[] RESPONSE_BYTES = ascii(",\"http.response.body.bytes\":");
  private static final byte[] ROUTE = ascii(",\"labels.route\":\"");
  private static final byte[] TARGET = ascii(",\"labels.upstream_target\":\"");
  private static final byte[] REQUEST_ID = ascii(",\"labels.request_id\":\"");
  private static final byte[] TRACE_ID = ascii(",\"trace.id\":\"");
  private static final byte[] USER_ID = ascii(",\"user.id\":\"");
  private static final byte[] AUTH_METHOD = ascii(",\"portcullis.auth_method\":\"");
  private static final byte[] USER_AGENT = ascii(",\"user_agent.original\":\"");
  private static final byte[] UPSTREAM_DURATION = ascii(",\"portcullis.upstream.duration\":");

  private byte[] bytes = new byte[1024];
  private int length;

  private long second = Long.MIN_VALUE;
  private byte[] secondText;
  private InetAddress client;
  private byte[] clientText;
  private Target target;
  private byte[] targetText;

  /** Replaces the formatted line with this one, without its newline when {@code newline} is off. */
  void format(AccessLogLine line, boolean newline) {
    length = 0;
    append(TIMESTAMP);
    appendTimestamp(line.startEpochMillis());
    appendByte('"');
    append(DURATION);
    appendLong(line.durationNanos());
    string(METHOD, line.method());
    string(PATH, line.path());
    if (line.status() > 0) {
      append(STATUS);
      appendLong(line.status());
    }
    InetSocketAddress client = line.client();
    if (client != null) {
      quoted(CLIENT, clientText(client));
    }
    append(REQUEST_BYTES);
    appendLong(line.requestBodyBytes());
    append(RESPONSE_BYTES);
    appendLong(line.responseBodyBytes());
    string(ROUTE, line.route());
    Target lineTarget = line.target();
    if (lineTarget != null) {
      if (lineTarget != target) {
        target = lineTarget;
        targetText = json(lineTarget.toString());
      }
      quoted(TARGET, targetText);
    }
    string(REQUEST_ID, line.requestId());
    string(TRACE_ID, line.traceId());
    string(USER_ID, line.userId());
    string(AUTH_METHOD, line.authMethod());
    string(USER_AGENT, line.userAgent());
    if (line.upstreamNanos() > 0) {
      append(UPSTREAM_DURATION);
      appendLong(line.upstreamNanos());
    }
    appendByte('}');
    if (newline) {
      appendByte('\n');
    }
  }

  /** The formatted line's bytes: valid up to {@link #length()}, until the next {@link #format}. */
  byte[] bytes() {
    return bytes;
  }

  int length() {
    return length;
  }

  /** The formatted line as text, for tests and messages. */
  String text() {
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  private void appendTimestamp(long epochMillis) {
    long epochSecond = Math.floorDiv(epochMillis, 1000);
    if (epochSecond != second) {
      second = epochSecond;
      secondText = ascii(SECOND.format(Instant.ofEpochSecond(epochSecond)));
    }
    append(secondText);
    int millis = (int) Math.floorMod(epochMillis, 1000);
    ensure(5);
    bytes[length++] = '.';
    bytes[length++] = (byte) ('0' + millis / 100);
    bytes[length++] = (byte) ('0' + millis / 10 % 10);
    bytes[length++] = (byte) ('0' + millis % 10);
    bytes[length++] = 'Z';
  }

  private byte[] clientText(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      return json(address.getHostString());
    }
    if (!ip.equals(client)) {
      client = ip;
      clientText = json(ip.getHostAddress());
    }
    return clientText;
  }

  /** A value escaped once and kept: what {@link #string} would write between the quotes. */
  private byte[] json(String value) {
    int start = length;
    appendEscaped(value);
    byte[] text = Arrays.copyOfRange(bytes, start, length);
    length = start;
    return text;
  }

  private void quoted(byte[] name, byte[] escapedValue) {
    append(name);
    append(escapedValue);
    appendByte('"');
  }

  private void string(byte[] name, String value) {
    if (value == null) {
      return;
    }
    append(name);
    appendEscaped(value);
    appendByte('"');
  }

  private void appendEscaped(String value) {
    int n = value.length();
    // Worst case: every char a six-byte \\u escape. Values here are header-sized, so reserving
    // for it once beats a bounds check per char.
    ensure(n * 6);
    byte[] out = bytes;
    int at = length;
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c < 0x80) {
        if (c == '"' || c == '\\') {
          out[at++] = '\\';
        }
        out[at++] = (byte) c;
      } else if (c < 0x20) {
        at = controlEscape(c, out, at);
      } else if (c < 0x800) {
        out[at++] = (byte) (0xC0 | c >> 6);
        out[at++] = (byte) (0x80 | c & 0x3F);
      } else if (!Character.isSurrogate(c)) {
        out[at++] = (byte) (0xE0 | c >> 12);
        out[at++] = (byte) (0x80 | c >> 6 & 0x3F);
        out[at++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, value.charAt(++i));
        out[at++] = (byte) (0xF0 | cp >> 18);
        out[at++] = (byte) (0x80 | cp >> 12 & 0x3F);
        out[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
        out[at++] = (byte) (0x80 | cp & 0x3F);
      } else {
        out[at++] = '?';
      }
    }
    length = at;
  }

  private static int controlEscape(char c, byte[] out, int at) {
    out[at++] = '\\';
    byte named =
        switch (c) {
          case '\b' -> 'b';
          case '\t' -> 't';
          case '\n' -> 'n';
          case '\f' -> 'f';
          case '\r' -> 'r';
          default -> 0;
        };
    if (named != 0) {
      out[at++] = named;
      return at;
    }
    out[at++] = 'u';
    out[at++] = '0';
    out[at++] = '0';
    out[at++] = HEX[c >> 4];
    out[at++] = HEX[c & 0xF];
    return at;
  }

  private void appendLong(long value) {
    ensure(20);
    if (value < 0) {
      if (value == Long.MIN_VALUE) {
        append(ascii(Long.toString(value)));
        return;
      }
      bytes[length++] = '-';
      value = -value;
    }
    int digits = 1;
    for (long rest = value / 10; rest != 0; rest /= 10) {
      digits++;
    }
    int at = length + digits;
    length = at;
    do {
      bytes[--at] = (byte) ('0' + value % 10);
      value /= 10;
    } while (value != 0);
  }

  private void append(byte[] text) {
    ensure(text.length);
    System.arraycopy(text, 0, bytes, length, text.length);
    length += text.length;
  }

  private void appendByte(char c) {
    ensure(1);
    bytes[length++] = (byte) c;
  }

  private void ensure(int more) {
    if (bytes.length - length < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
