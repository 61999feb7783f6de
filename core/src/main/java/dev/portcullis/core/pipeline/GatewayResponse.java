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
   * A JSON error body. {@code error} is a stable machine-readable code ({@code no_route}, {@code
   * upstream_timeout}); {@code message} is for people and must never contain a secret.
   */
  public static GatewayResponse error(
      HttpResponseStatus status, String error, String message, String requestId) {
    byte[] body = errorJson(error, message, requestId);
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    headers.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return new GatewayResponse(status, headers, body);
  }

  /** The error body alone; {@code request_id} is left out when {@code requestId} is null. */
  public static byte[] errorJson(String error, String message, String requestId) {
    StringBuilder json = new StringBuilder(96 + message.length());
    json.append("{\"error\":\"");
    JsonStringEncoder.getInstance().quoteAsString(error, json);
    json.append("\",\"message\":\"");
    JsonStringEncoder.getInstance().quoteAsString(message, json);
    if (requestId != null) {
      json.append("\",\"request_id\":\"");
      JsonStringEncoder.getInstance().quoteAsString(requestId, json);
    }
    json.append("\"}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }
}
