package dev.portcullis.proxy.admin;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** One GET endpoint of the admin listener. Runs on the admin event loop; must not block long. */
@FunctionalInterface
public interface AdminEndpoint {

  Reply handle();

  /** A whole response: status, content type and text body. */
  record Reply(int status, String contentType, String body) {
    public static Reply json(int status, String json) {
      return new Reply(status, "application/json", json);
    }

    public static Reply error(int status, String error, String message) {
      StringBuilder json = new StringBuilder("{\"error\":\"");
      JsonStringEncoder.getInstance().quoteAsString(error, json);
      json.append("\",\"message\":\"");
      JsonStringEncoder.getInstance().quoteAsString(message, json);
      json.append("\"}");
      return json(status, json.toString());
    }
  }
}
