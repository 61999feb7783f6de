package dev.portcullis.proxy.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.apikey.InvalidKeyRequest;
import dev.portcullis.auth.apikey.NewApiKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads the body of {@code POST /admin/api-keys}: {@code type, subject, tenant, scopes, expires,
 * allowed_ips, rate_limit}. Every problem names its field; unknown fields are refused, so a typo
 * such as {@code scope} does not silently issue a key without scopes.
 */
final class KeyRequests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of("type", "subject", "tenant", "scopes", "expires", "allowed_ips", "rate_limit");

  private KeyRequests() {}

  static NewApiKey fromJson(String body, Instant now) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidKeyRequest("body", "not JSON (expected: a JSON object)");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidKeyRequest("body", "not an object (expected: a JSON object)");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidKeyRequest(
            name,
            "unknown field (expected: one of type, subject, tenant, scopes, expires, allowed_ips, rate_limit)");
      }
    }
    String expiresText = text(root, "expires");
    Instant expires = NewApiKey.parseExpires(expiresText, now);
    boolean never = Instant.MAX.equals(expires);
    return new NewApiKey(
        NewApiKey.parseType(text(root, "type")),
        text(root, "subject"),
        text(root, "tenant"),
        list(root, "scopes"),
        never ? null : expires,
        never,
        list(root, "allowed_ips"),
        text(root, "rate_limit"));
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new InvalidKeyRequest(field, node + " (expected: a string)");
    }
    return node.asText();
  }

  private static List<String> list(JsonNode root, String field) {
    JsonNode node = root.get(field);
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw new InvalidKeyRequest(field, node + " (expected: a list of strings)");
    }
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw new InvalidKeyRequest(field, item + " (expected: a list of strings)");
      }
      out.add(item.asText());
    }
    return out;
  }
}
