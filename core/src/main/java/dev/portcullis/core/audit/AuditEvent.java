package dev.portcullis.core.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One audit event, immutable. Written as one flat JSON line: {@code timestamp}, {@code event} (the
 * action), {@code result} (the outcome), {@code user_id}, {@code ip_address}, {@code request_id},
 * and each detail under its own key ({@code key_id}, {@code auth_method}, {@code error_code}...).
 *
 * <p><strong>Never put a credential in an event</strong>: not a password, an API key or its secret
 * half, a token, a cookie, a session id or a signing key, in the details or anywhere else. Record
 * what identifies the thing instead (an API key's id, a token's {@code jti}, a hash prefix). As a
 * last line of defence the constructor refuses detail keys that look like they name a secret (see
 * {@link #isSecretLookingKey}); it cannot see a secret put under an innocent name.
 *
 * @param timestamp when it happened
 * @param action what happened, dotted lower case such as {@code auth.failure}, {@code
 *     api_key.created}, {@code ip.blocked}
 * @param outcome whether the action succeeded
 * @param principal the subject's id (a user, a service, an API key's owner), or null when unknown
 * @param clientIp the client address as text, or null when there was no client (a CLI action)
 * @param requestId the request's {@code X-Request-Id}, or null outside a request
 *     <p>Every text field is at most {@value #MAX_DETAIL_LENGTH} characters, so a line stays small.
 * @param details up to {@value #MAX_DETAILS} more values (keys {@code [a-z][a-z0-9_]*}, values at
 *     most {@value #MAX_DETAIL_LENGTH} characters); copied, insertion order kept
 */
public record AuditEvent(
    Instant timestamp,
    String action,
    Outcome outcome,
    String principal,
    String clientIp,
    String requestId,
    Map<String, String> details) {

  public static final int MAX_DETAILS = 16;
  public static final int MAX_DETAIL_LENGTH = 512;

  private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
  private static final Pattern DETAIL_KEY = Pattern.compile("[a-z][a-z0-9_]*");

  /**
   * Words that, as a whole word of a detail key, say the value is a secret. Matched by word rather
   * than by substring so that {@code api_key_id} (an identifier worth recording) passes while
   * {@code api_key} does not.
   */
  private static final Set<String> SECRET_WORDS =
      Set.of(
          "password",
          "passwd",
          "passphrase",
          "pwd",
          "secret",
          "token",
          "credential",
          "credentials",
          "authorization",
          "cookie",
          "pepper",
          "otp");

  /** Keys the writer emits itself; a detail of that name would be a duplicate JSON field. */
  private static final Set<String> RESERVED_KEYS =
      Set.of("timestamp", "event", "result", "user_id", "ip_address", "request_id");

  public AuditEvent {
    if (timestamp == null) {
      throw new IllegalArgumentException("audit event timestamp: missing (expected: an instant)");
    }
    if (action == null || !ACTION.matcher(action).matches()) {
      throw new IllegalArgumentException(
          "audit event action: "
              + quoted(action)
              + " (expected: dotted lower case such as auth.failure)");
    }
    if (outcome == null) {
      throw new IllegalArgumentException(
          "audit event outcome: missing (expected: success, failure or unknown)");
    }
    checkLength("principal", principal);
    checkLength("client_ip", clientIp);
    checkLength("request_id", requestId);
    details = details == null ? Map.of() : copyDetails(details);
  }

  private static void checkLength(String name, String value) {
    if (value != null && value.length() > MAX_DETAIL_LENGTH) {
      throw new IllegalArgumentException(
          "audit event "
              + name
              + ": "
              + value.length()
              + " characters (expected: at most "
              + MAX_DETAIL_LENGTH
              + ")");
    }
  }

  /** An event happening now, without details. */
  public static AuditEvent of(
      String action, Outcome outcome, String principal, String clientIp, String requestId) {
    return new AuditEvent(Instant.now(), action, outcome, principal, clientIp, requestId, Map.of());
  }

  /** The same event with one more detail. */
  public AuditEvent withDetail(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(details);
    more.put(key, value);
    return new AuditEvent(timestamp, action, outcome, principal, clientIp, requestId, more);
  }

  private static Map<String, String> copyDetails(Map<String, String> details) {
    if (details.size() > MAX_DETAILS) {
      throw new IllegalArgumentException(
          "audit event details: "
              + details.size()
              + " entries (expected: at most "
              + MAX_DETAILS
              + ")");
    }
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> detail : details.entrySet()) {
      String key = detail.getKey();
      if (key == null || !DETAIL_KEY.matcher(key).matches() || RESERVED_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "audit event details: key "
                + quoted(key)
                + " (expected: [a-z][a-z0-9_]*, not one of the fixed fields timestamp, event, "
                + "result, user_id, ip_address, request_id)");
      }
      if (isSecretLookingKey(key)) {
        // The value is not echoed: it is probably the secret.
        throw new IllegalArgumentException(
            "audit event details: key '"
                + key
                + "' names a secret (expected: no credentials in audit events; record an id)");
      }
      String value = detail.getValue();
      if (value == null || value.length() > MAX_DETAIL_LENGTH) {
        throw new IllegalArgumentException(
            "audit event details."
                + key
                + ": "
                + (value == null ? "null" : value.length() + " characters")
                + " (expected: a value of at most "
                + MAX_DETAIL_LENGTH
                + " characters)");
      }
      copy.put(key, value);
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Whether a detail key looks like it holds a secret: one of its {@code _}-separated words is a
   * secret word (password, secret, token, credential, authorization, cookie, ...), or it ends in
   * {@code api_key} or {@code private_key} (the key itself, where {@code api_key_id} is its id).
   */
  public static boolean isSecretLookingKey(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (String word : lower.split("[^a-z0-9]+")) {
      if (SECRET_WORDS.contains(word)) {
        return true;
      }
    }
    String squashed = lower.replaceAll("[^a-z0-9]", "");
    return squashed.endsWith("apikey") || squashed.endsWith("privatekey");
  }

  private static String quoted(String text) {
    return text == null ? "missing" : "'" + text + "'";
  }

  /** The {@code result} of the line. */
  public enum Outcome {
    SUCCESS,
    FAILURE,
    UNKNOWN;

    /** As written: {@code success}, {@code failure}, {@code unknown}. */
    public String ecsName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
