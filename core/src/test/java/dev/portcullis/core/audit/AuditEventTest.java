package dev.portcullis.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditEventTest {
  private static final Instant AT = Instant.parse("2025-03-01T12:00:00Z");

  private static AuditEvent withDetails(Map<String, String> details) {
    return new AuditEvent(
        AT, "auth.failure", AuditEvent.Outcome.FAILURE, null, "10.0.0.1", "r-1", details);
  }

  @Test
  void detailsAreCopiedInOrderAndImmutable() {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("method", "api_key");
    details.put("api_key_id", "pk_live_7f3a");
    details.put("reason", "expired");
    AuditEvent event = withDetails(details);
    details.put("later", "x");

    assertThat(event.details())
        .containsExactly(
            Map.entry("method", "api_key"),
            Map.entry("api_key_id", "pk_live_7f3a"),
            Map.entry("reason", "expired"));
    assertThatThrownBy(() -> event.details().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(event.withDetail("key_type", "service").details())
        .containsEntry("key_type", "service")
        .hasSize(4);
    assertThat(withDetails(null).details()).isEmpty();
  }

  @Test
  void secretLookingKeysAreRefusedWithoutEchoingTheValue() {
    for (String key :
        new String[] {
          "password", "new_password", "client_secret", "secret", "token", "access_token",
          "refresh_token", "api_key", "x_api_key", "private_key", "authorization", "cookie",
          "credentials", "otp", "passwd"
        }) {
      assertThatThrownBy(() -> withDetails(Map.of(key, "hunter2")))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "audit event details: key '"
                  + key
                  + "' names a secret (expected: no credentials in audit events; record an id)")
          .message()
          .doesNotContain("hunter2");
    }
  }

  @Test
  void identifiersOfSecretsAreAllowed() {
    for (String key :
        new String[] {"api_key_id", "key_id", "jti", "method", "reason", "key_prefix"}) {
      assertThat(AuditEvent.isSecretLookingKey(key)).as(key).isFalse();
    }
    // By whole word, so conservative: "token" anywhere refuses the key.
    assertThat(AuditEvent.isSecretLookingKey("token_jti")).isTrue();
    assertThat(withDetails(Map.of("api_key_id", "k1", "reason", "revoked")).details()).hasSize(2);
  }

  @Test
  void badShapesAreRefused() {
    assertThatThrownBy(
            () ->
                new AuditEvent(
                    AT, "Auth Failure", AuditEvent.Outcome.FAILURE, null, null, null, null))
        .hasMessage(
            "audit event action: 'Auth Failure' (expected: dotted lower case such as auth.failure)");
    assertThatThrownBy(
            () -> new AuditEvent(AT, "login", AuditEvent.Outcome.FAILURE, null, null, null, null))
        .hasMessageStartingWith("audit event action: 'login'");
    assertThatThrownBy(() -> new AuditEvent(AT, "auth.failure", null, null, null, null, null))
        .hasMessage("audit event outcome: missing (expected: success, failure or unknown)");
    assertThatThrownBy(
            () ->
                new AuditEvent(
                    null, "auth.failure", AuditEvent.Outcome.FAILURE, null, null, null, null))
        .hasMessage("audit event timestamp: missing (expected: an instant)");
    assertThatThrownBy(() -> withDetails(Map.of("Bad-Key", "x")))
        .hasMessage(
            "audit event details: key 'Bad-Key' (expected: [a-z][a-z0-9_]*, not one of the fixed fields timestamp, event, "
                + "result, user_id, ip_address, request_id)");
    assertThatThrownBy(() -> withDetails(Map.of("request_id", "x")))
        .hasMessage(
            "audit event details: key 'request_id' (expected: [a-z][a-z0-9_]*, not one of the fixed fields timestamp, event, "
                + "result, user_id, ip_address, request_id)");
    assertThatThrownBy(() -> withDetails(Map.of("reason", "x".repeat(513))))
        .hasMessage(
            "audit event details.reason: 513 characters (expected: a value of at most 512 characters)");
    assertThatThrownBy(
            () ->
                new AuditEvent(
                    AT,
                    "auth.failure",
                    AuditEvent.Outcome.FAILURE,
                    "u".repeat(513),
                    null,
                    null,
                    null))
        .hasMessage("audit event principal: 513 characters (expected: at most 512)");
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 17; i++) {
      many.put("k" + i, "v");
    }
    assertThatThrownBy(() -> withDetails(many))
        .hasMessage("audit event details: 17 entries (expected: at most 16)");
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("reason", null);
    assertThatThrownBy(() -> withDetails(nullValue))
        .hasMessage(
            "audit event details.reason: null (expected: a value of at most 512 characters)");
  }

  @Test
  void outcomesUseTheEcsValues() {
    assertThat(AuditEvent.Outcome.SUCCESS.ecsName()).isEqualTo("success");
    assertThat(AuditEvent.Outcome.FAILURE.ecsName()).isEqualTo("failure");
    assertThat(AuditEvent.Outcome.UNKNOWN.ecsName()).isEqualTo("unknown");
  }
}
