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

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

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
    json.append("{\"@timestamp\":\"");
    TIMESTAMP.formatTo(Instant.ofEpochMilli(startEpochMillis), json);
    json.append('"');
    json.append(",\"event.duration\":").append(durationNanos);
    string(json, "http.request.method", method);
    string(json, "url.path", path);
    if (status > 0) {
      json.append(",\"http.response.status_code\":").append(status);
    }
    if (client != null) {
      InetAddress address = client.getAddress();
      string(
          json, "client.ip", address != null ? address.getHostAddress() : client.getHostString());
    }
    json.append(",\"http.request.body.bytes\":").append(requestBodyBytes);
    json.append(",\"http.response.body.bytes\":").append(responseBodyBytes);
    string(json, "labels.route", route);
    if (target != null) {
      string(json, "labels.upstream_target", target.toString());
    }
    string(json, "labels.request_id", requestId);
    string(json, "trace.id", traceId);
    string(json, "user.id", userId);
    string(json, "portcullis.auth_method", authMethod);
    string(json, "user_agent.original", userAgent);
    if (upstreamNanos > 0) {
      json.append(",\"portcullis.upstream.duration\":").append(upstreamNanos);
    }
    json.append('}');
  }

  private static void string(StringBuilder json, String name, String value) {
    if (value == null) {
      return;
    }
    json.append(",\"").append(name).append("\":\"");
    JsonStringEncoder.getInstance().quoteAsString(value, json);
    json.append('"');
  }
}
