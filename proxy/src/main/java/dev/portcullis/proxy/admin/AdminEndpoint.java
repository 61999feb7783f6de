package dev.portcullis.proxy.admin;

import dev.portcullis.core.pipeline.GatewayResponse;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashMap;
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

  /**
   * A whole response: status, content type, text body and any extra headers.
   *
   * @param headers more response headers (such as {@code WWW-Authenticate}); never a secret
   */
  record Reply(int status, String contentType, String body, Map<String, String> headers) {
    public Reply {
      headers = Map.copyOf(headers);
    }

    public Reply(int status, String contentType, String body) {
      this(status, contentType, body, Map.of());
    }

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

    public Reply withHeader(String name, String value) {
      Map<String, String> more = new LinkedHashMap<>(headers);
      more.put(name, value);
      return new Reply(status, contentType, body, more);
    }
  }
}
