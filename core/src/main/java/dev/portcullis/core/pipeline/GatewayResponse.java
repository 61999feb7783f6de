package dev.portcullis.core.pipeline;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A response the gateway produces itself (an error, a filter's rejection, a cached entry). The body
 * is a plain byte array, never a pooled buffer, so it has no owner to release it.
 *
 * <p>Every gateway error uses one JSON shape, {@code {"error","message","request_id"}}, built by
 * {@link #error}; it never carries a stack trace.
 */
public record GatewayResponse(HttpResponseStatus status, HttpHeaders headers, byte[] body) {

  public GatewayResponse {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
  }

  /**
   * A JSON error body for an exchange: {@code {"error","message","request_id","trace_id"}}. {@code
   * error} is a stable machine-readable code ({@code no_route}, {@code upstream_timeout}); {@code
   * message} is for people and must never contain a secret.
   */
  public static GatewayResponse error(
      HttpResponseStatus status, String error, String message, Exchange exchange) {
    return json(status, errorJson(error, message, exchange.requestId(), exchange.traceId()));
  }

  /** The same, outside any exchange (no trace); {@code requestId} may be null. */
  public static GatewayResponse error(
      HttpResponseStatus status, String error, String message, String requestId) {
    return json(status, errorJson(error, message, requestId, null));
  }

  private static GatewayResponse json(HttpResponseStatus status, byte[] body) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    headers.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return new GatewayResponse(status, headers, body);
  }

  /** The error body alone; {@code request_id} and {@code trace_id} are left out when null. */
  public static byte[] errorJson(String error, String message, String requestId, String traceId) {
    StringBuilder json = new StringBuilder(96 + message.length());
    json.append("{\"error\":\"");
    JsonStringEncoder.getInstance().quoteAsString(error, json);
    json.append("\",\"message\":\"");
    JsonStringEncoder.getInstance().quoteAsString(message, json);
    if (requestId != null) {
      json.append("\",\"request_id\":\"");
      JsonStringEncoder.getInstance().quoteAsString(requestId, json);
    }
    if (traceId != null) {
      json.append("\",\"trace_id\":\"");
      JsonStringEncoder.getInstance().quoteAsString(traceId, json);
    }
    json.append("\"}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }
}
