package dev.portcullis.auth.apikey;

import dev.portcullis.core.audit.AuditEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit events of key management: {@code api_key.created}, {@code api_key.revoked}, {@code
 * api_key.rotated}, with the key's id, subject and tenant and who did it. Never the key.
 */
public final class ApiKeyAudit {
  public static final String CREATED = "api_key.created";
  public static final String REVOKED = "api_key.revoked";
  public static final String ROTATED = "api_key.rotated";

  private ApiKeyAudit() {}

  /**
   * @param actor who asked: the admin key's subject, or {@code cli:<os user>}
   * @param actorKeyId the id of the admin key used, or null from the CLI
   * @param clientIp the admin client's address, or null from the CLI
   * @param requestId the admin request's id, or null
   */
  public static AuditEvent event(
      String action,
      ApiKeyInfo key,
      String actor,
      String actorKeyId,
      String clientIp,
      String requestId) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("key_id", key.id());
    details.put("subject", key.subject());
    if (key.tenant() != null) {
      details.put("tenant", key.tenant());
    }
    details.put("key_type", key.type());
    details.put("actor", actor);
    if (actorKeyId != null) {
      details.put("actor_key_id", actorKeyId);
    }
    return new AuditEvent(
        Instant.now(), action, AuditEvent.Outcome.SUCCESS, actor, clientIp, requestId, details);
  }
}
