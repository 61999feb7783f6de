package dev.portcullis.auth.apikey;

import dev.portcullis.auth.store.ApiKeyRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What may be shown about a key: everything but its secret and its hash. The admin API and the CLI
 * print these.
 */
public record ApiKeyInfo(
    String id,
    String type,
    String subject,
    String tenant,
    List<String> scopes,
    Instant created,
    Instant expires,
    Instant revokedAt,
    List<String> allowedIps,
    String rateLimit,
    Instant lastUsed,
    Instant previousValidUntil) {

  static ApiKeyInfo of(ApiKeyRecord r) {
    return new ApiKeyInfo(
        r.id(),
        r.type(),
        r.subject(),
        r.tenant(),
        r.scopes(),
        r.created(),
        r.expires(),
        r.revokedAt(),
        r.allowedCidrs(),
        r.rateLimit(),
        r.lastUsed(),
        r.previousValidUntil());
  }

  /** {@code active}, {@code expired} or {@code revoked} at {@code now}. */
  public String status(Instant now) {
    if (revokedAt != null) {
      return "revoked";
    }
    return expires != null && !now.isBefore(expires) ? "expired" : "active";
  }

  /** The JSON shape (snake_case, instants as ISO-8601 text, absent values as null). */
  public Map<String, Object> toJson(Instant now) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("type", type);
    json.put("subject", subject);
    json.put("tenant", tenant);
    json.put("scopes", scopes);
    json.put("status", status(now));
    json.put("created", text(created));
    json.put("expires", text(expires));
    json.put("revoked_at", text(revokedAt));
    json.put("allowed_ips", allowedIps);
    json.put("rate_limit", rateLimit);
    json.put("last_used", text(lastUsed));
    json.put("previous_valid_until", text(previousValidUntil));
    return json;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
