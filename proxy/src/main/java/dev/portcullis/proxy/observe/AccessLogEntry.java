package dev.portcullis.proxy.observe;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.proxy.upstream.Target;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The values of one access log line, copied from the exchange on its event loop; turned into JSON
 * by the writer thread, so formatting costs the event loop nothing. Every field is immutable.
 *
 * <p>Field names are ECS: {@code http.request.body.bytes} and {@code http.response.body.bytes}
 * rather than {@code http.*.bytes}, because the engine counts bodies, not header bytes. The path is
 * logged without its query string, which may carry tokens.
 */
record AccessLogEntry(
    long startEpochMillis,
    long durationNanos,
    String method,
    String path,
    int status,
    InetSocketAddress client,
    long requestBodyBytes,
    long responseBodyBytes,
    String route,
    Target target,
    String requestId,
    String traceId,
    String userId,
    String authMethod,
    String userAgent,
    long upstreamNanos) {

  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  static AccessLogEntry of(ExchangeRecord exchange, long nowEpochMillis) {
    long duration = exchange.durationNanos();
    String userAgent = exchange.requestHeaders().get("user-agent");
    Principal principal = exchange.get(Principal.KEY);
    return new AccessLogEntry(
        nowEpochMillis - duration / 1_000_000,
        duration,
        exchange.method().name(),
        exchange.path(),
        exchange.status(),
        exchange.clientAddress(),
        exchange.requestBodyBytes(),
        exchange.responseBodyBytes(),
        exchange.route() == null ? null : exchange.route().name(),
        exchange.upstreamTarget(),
        exchange.requestId(),
        exchange.traceId(),
        principal == null ? null : principal.subject(),
        principal == null ? null : principal.authMethod(),
        userAgent,
        exchange.upstreamNanos());
  }

  /** Appends the line, without its newline. */
  void appendJson(StringBuilder json) {
    new Formatter().append(this, json);
  }

  /**
   * Turns entries into lines, remembering what consecutive lines share: the formatted second of the
   * timestamp, the client address's text and the target's URL. Most lines of a busy gateway repeat
   * all three, and formatting them afresh was most of the writer thread's work.
   *
   * <p>Not thread-safe: one per writer thread.
   */
  static final class Formatter {
    private long second = Long.MIN_VALUE;
    private String secondText;
    private InetAddress client;
    private String clientText;
    private Target target;
    private String targetText;

    void append(AccessLogEntry entry, StringBuilder json) {
      json.append("{\"@timestamp\":\"");
      appendTimestamp(entry.startEpochMillis, json);
      json.append('"');
      json.append(",\"event.duration\":").append(entry.durationNanos);
      string(json, "http.request.method", entry.method);
      string(json, "url.path", entry.path);
      if (entry.status > 0) {
        json.append(",\"http.response.status_code\":").append(entry.status);
      }
      if (entry.client != null) {
        string(json, "client.ip", clientText(entry.client));
      }
      json.append(",\"http.request.body.bytes\":").append(entry.requestBodyBytes);
      json.append(",\"http.response.body.bytes\":").append(entry.responseBodyBytes);
      string(json, "labels.route", entry.route);
      if (entry.target != null) {
        if (entry.target != target) {
          target = entry.target;
          targetText = entry.target.toString();
        }
        string(json, "labels.upstream_target", targetText);
      }
      string(json, "labels.request_id", entry.requestId);
      string(json, "trace.id", entry.traceId);
      string(json, "user.id", entry.userId);
      string(json, "portcullis.auth_method", entry.authMethod);
      string(json, "user_agent.original", entry.userAgent);
      if (entry.upstreamNanos > 0) {
        json.append(",\"portcullis.upstream.duration\":").append(entry.upstreamNanos);
      }
      json.append('}');
    }

    private void appendTimestamp(long epochMillis, StringBuilder json) {
      long epochSecond = Math.floorDiv(epochMillis, 1000);
      if (epochSecond != second) {
        second = epochSecond;
        secondText = SECOND.format(Instant.ofEpochSecond(epochSecond));
      }
      int millis = (int) Math.floorMod(epochMillis, 1000);
      json.append(secondText).append('.');
      if (millis < 100) {
        json.append('0');
      }
      if (millis < 10) {
        json.append('0');
      }
      json.append(millis).append('Z');
    }

    private String clientText(InetSocketAddress address) {
      InetAddress ip = address.getAddress();
      if (ip == null) {
        return address.getHostString();
      }
      if (!ip.equals(client)) {
        client = ip;
        clientText = ip.getHostAddress();
      }
      return clientText;
    }
  }

  private static void string(StringBuilder json, String name, String value) {
    if (value == null) {
      return;
    }
    json.append(",\"").append(name).append("\":\"");
    // Jackson's encoder appends one char at a time, which made it a third of the log writer's
    // CPU; the values here (paths, addresses, ids) almost never need an escape.
    if (needsEscape(value)) {
      JsonStringEncoder.getInstance().quoteAsString(value, json);
    } else {
      json.append(value);
    }
    json.append('"');
  }

  /** What JSON requires escaped, as Jackson's encoder escapes it: controls, quote, backslash. */
  private static boolean needsEscape(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return true;
      }
    }
    return false;
  }
}
