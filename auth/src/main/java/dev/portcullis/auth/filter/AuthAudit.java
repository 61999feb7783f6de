package dev.portcullis.auth.filter;

import com.github.benmanes.caffeine.cache.Cache;
import dev.portcullis.core.audit.AuditEvent;
import dev.portcullis.core.audit.AuditSink;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.EventLoopCaches;
import dev.portcullis.core.pipeline.Exchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit events of authentication: {@code auth.success}, {@code auth.failure}, {@code
 * auth.permission_denied}, {@code auth.ip_blocked}. Each carries who (user_id, client_id, key_id),
 * from where (ip_address, user_agent), how (auth_method), the result and error_code, what
 * (resource_accessed) and the request_id. Never a credential: only the key id or the token's jti.
 *
 * <p>Successes are audited once per credential per interval: at tens of thousands of requests a
 * second a line per success would swamp the trail (and its queue) without telling more.
 */
final class AuthAudit {
  private static final Logger log = LoggerFactory.getLogger(AuthAudit.class);
  private final AuditSink sink;

  /**
   * Principals whose success was audited within the interval (by value: a credential's subject,
   * method, id and scopes), so the check allocates nothing; null to audit every success.
   */
  private final Cache<Principal, Boolean> recentSuccesses;

  AuthAudit(AuditSink sink, Duration successInterval, LongSupplier nanoClock) {
    this.sink = sink;
    this.recentSuccesses =
        successInterval.isZero()
            ? null
            : EventLoopCaches.newBuilder()
                .expireAfterWrite(successInterval)
                .maximumSize(1_000_000)
                .ticker(nanoClock::getAsLong)
                .build();
  }

  void success(Exchange exchange, Principal principal) {
    if (recentSuccesses != null
        && recentSuccesses.asMap().putIfAbsent(principal, Boolean.TRUE) != null) {
      return;
    }
    record(
        exchange,
        "auth.success",
        AuditEvent.Outcome.SUCCESS,
        principal.subject(),
        principal.authMethod(),
        principal.credentialId(),
        principal.clientId(),
        null);
  }

  void failure(
      Exchange exchange, String method, String errorCode, String credentialId, String subject) {
    record(
        exchange,
        "auth.failure",
        AuditEvent.Outcome.FAILURE,
        subject,
        method,
        credentialId,
        null,
        errorCode);
  }

  void unavailable(Exchange exchange, String method) {
    record(
        exchange,
        "auth.failure",
        AuditEvent.Outcome.UNKNOWN,
        null,
        method,
        null,
        null,
        "verifier_unavailable");
  }

  void permissionDenied(Exchange exchange, Principal principal, String permission) {
    record(
        exchange,
        "auth.permission_denied",
        AuditEvent.Outcome.FAILURE,
        principal.subject(),
        principal.authMethod(),
        principal.credentialId(),
        principal.clientId(),
        "missing_permission:" + permission);
  }

  void ipBlocked(Exchange exchange, String method, long blockNanos) {
    record(
        exchange,
        "auth.ip_blocked",
        AuditEvent.Outcome.FAILURE,
        null,
        method,
        null,
        null,
        "too_many_failures:blocked_for_" + Math.max(1, blockNanos / 1_000_000_000L) + "s");
  }

  private void record(
      Exchange exchange,
      String action,
      AuditEvent.Outcome outcome,
      String subject,
      String method,
      String keyId,
      String clientId,
      String errorCode) {
    Map<String, String> details = new LinkedHashMap<>();
    put(details, "client_id", clientId);
    put(details, "key_id", keyId);
    put(details, "user_agent", exchange.requestHeaders().get(HttpHeaderNames.USER_AGENT));
    put(details, "auth_method", method);
    put(details, "error_code", errorCode);
    put(details, "resource_accessed", exchange.method().name() + " " + exchange.path());
    InetSocketAddress client = exchange.clientAddress();
    String ip =
        client == null || client.getAddress() == null ? null : client.getAddress().getHostAddress();
    try {
      sink.record(
          new AuditEvent(
              Instant.now(), action, outcome, clip(subject), ip, exchange.requestId(), details));
    } catch (IllegalStateException closing) {
      // The gateway is stopping; the request itself is answered either way.
      log.debug("audit sink closed, {} not recorded", action);
    }
  }

  private static void put(Map<String, String> details, String key, String value) {
    if (value != null) {
      details.put(key, clip(value));
    }
  }

  private static String clip(String value) {
    return value == null || value.length() <= AuditEvent.MAX_DETAIL_LENGTH
        ? value
        : value.substring(0, AuditEvent.MAX_DETAIL_LENGTH);
  }
}
