package dev.portcullis.proxy.admin;

import dev.portcullis.core.pipeline.GatewayResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/**
 * One endpoint of the admin listener, GET unless it says otherwise. Runs on the admin event loop;
 * must not block long.
 */
@FunctionalInterface
public interface AdminEndpoint {

  Reply handle();

  /** Handles one request; an endpoint that negotiates (by Accept, for one) overrides this. */
  default Reply handle(HttpHeaders requestHeaders) {
    return handle();
  }

  /** Whether the endpoint takes this method; GET and HEAD unless it overrides this. */
  default boolean allows(HttpMethod method) {
    return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
  }

  /** Handles one request with its query parameters; an endpoint acting on them overrides this. */
  default Reply handle(HttpMethod method, Map<String, List<String>> query, HttpHeaders headers) {
    return handle(headers);
  }

  /** A whole response: status, content type and text body. */
  record Reply(int status, String contentType, String body) {
    public static Reply json(int status, String json) {
      return new Reply(status, "application/json", json);
    }

    public static Reply error(int status, String error, String message) {
      return json(
          status,
          new String(
              GatewayResponse.errorJson(error, message, null, null),
              java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
