package dev.portcullis.auth.jwt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Base64;

/**
 * The few unverified fields needed to pick the issuer and the key before jjwt verifies the token:
 * the header's {@code alg} and {@code kid} and the payload's {@code iss}. Nothing read here is
 * trusted: the issuer only selects which configuration then verifies everything.
 *
 * <p>Reads with Jackson's streaming parser (no tree, no map) and stops at the top-level fields it
 * needs. Immutable; created per token on the calling thread.
 */
record TokenPeek(String algorithm, String keyId, String issuer) {
  private static final JsonFactory JSON = new JsonFactory();

  /** The fields, or null when the token is not three base64url JSON segments. */
  static TokenPeek of(String compact) {
    int first = compact.indexOf('.');
    int second = first < 0 ? -1 : compact.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || compact.indexOf('.', second + 1) >= 0) {
      return null;
    }
    try {
      byte[] header = Base64.getUrlDecoder().decode(compact.substring(0, first));
      byte[] payload = Base64.getUrlDecoder().decode(compact.substring(first + 1, second));
      String[] headerFields = fields(header, "alg", "kid");
      String[] payloadFields = fields(payload, "iss", null);
      if (headerFields == null || payloadFields == null) {
        return null;
      }
      return new TokenPeek(headerFields[0], headerFields[1], payloadFields[0]);
    } catch (IllegalArgumentException | IOException e) {
      return null;
    }
  }

  /** The two named top-level string fields of a JSON object (null when absent or not strings). */
  private static String[] fields(byte[] json, String a, String b) throws IOException {
    String[] out = new String[2];
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING) {
          if (name.equals(a)) {
            out[0] = parser.getText();
          } else if (name.equals(b)) {
            out[1] = parser.getText();
          }
        } else {
          parser.skipChildren();
        }
      }
      return token == JsonToken.END_OBJECT ? out : null;
    }
  }
}
