package dev.portcullis.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.audit.AuditEvent;
import dev.portcullis.core.audit.AuditSink;
import dev.portcullis.core.config.AccessLogConfig;
import dev.portcullis.core.config.AuditLogConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway's audit sink writing to its file, and a route whose access log is switched off. */
class AuditAndRouteLogIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private TestUpstream upstream;
  private Gateway gateway;
  private Path accessLog;
  private Path auditLog;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    accessLog = dir.resolve("access.json");
    auditLog = dir.resolve("audit.json");
    gateway = Gateway.start(TestGateways.anonymous(config(auditLog)));
  }

  private GatewayConfig config(Path auditPath) {
    GatewayConfig base = TestGateways.oneWorker(upstream.uri());
    // "api" (/api/**) is not access-logged; "all" (/**) is.
    return new GatewayConfig(
            base.server(),
            base.admin(),
            base.upstreams(),
            List.of(base.routes().get(0).withAccessLog(false), base.routes().get(1)))
        .withAccessLog(new AccessLogConfig(true, AccessLogConfig.Destination.FILE, accessLog))
        .withAuditLog(new AuditLogConfig(AuditLogConfig.Destination.FILE, auditPath, null));
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  @Test
  void aRouteWithTheAccessLogOffIsCountedButNotLogged() throws Exception {
    try (RawHttp http = new RawHttp(gateway.address())) {
      http.send("GET /api/a HTTP/1.1\r\nHost: x\r\nX-Request-Id: quiet-1\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
      http.send("GET /other HTTP/1.1\r\nHost: x\r\nX-Request-Id: loud-1\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
    }
    Scrapes.awaitNoneInFlight(gateway);
    assertThat(Scrapes.scrape(gateway, null).body())
        .contains(
            "portcullis_requests_total{method=\"GET\",route=\"api\",status_class=\"2xx\"} 1.0")
        .contains(
            "portcullis_requests_total{method=\"GET\",route=\"all\",status_class=\"2xx\"} 1.0");
    gateway.close(); // writes what is queued

    List<String> ids = new ArrayList<>();
    for (String line : Files.readAllLines(accessLog)) {
      ids.add(JSON.readTree(line).get("labels.request_id").asText());
    }
    assertThat(ids).containsExactly("loud-1");
  }

  @Test
  void eventsRecordedThroughTheGatewayReachItsAuditFile() throws Exception {
    AuditSink sink = gateway.auditSink();
    Instant at = Instant.parse("2025-03-01T12:00:00Z");
    sink.record(
        new AuditEvent(
            at,
            "auth.failure",
            AuditEvent.Outcome.FAILURE,
            null,
            "192.0.2.7",
            "req-9",
            Map.of("method", "api_key", "reason", "unknown_key")));
    sink.record(
        new AuditEvent(
            at.plusSeconds(1),
            "api_key.created",
            AuditEvent.Outcome.SUCCESS,
            "admin-1",
            null,
            null,
            Map.of("api_key_id", "pk_123")));
    assertThat(Scrapes.scrape(gateway, null).body())
        .contains("portcullis_audit_events_total 2.0")
        .contains("portcullis_audit_events_spilled_total 0.0")
        .contains("portcullis_audit_blocked_total 0.0")
        .contains("portcullis_audit_write_errors_total{file=\"log\"} 0.0");
    gateway.close();

    List<String> lines = Files.readAllLines(auditLog);
    assertThat(lines).hasSize(2);
    JsonNode failure = JSON.readTree(lines.get(0));
    assertThat(failure.get("timestamp").asText()).isEqualTo("2025-03-01T12:00:00.000Z");
    assertThat(failure.get("event").asText()).isEqualTo("auth.failure");
    assertThat(failure.get("result").asText()).isEqualTo("failure");
    assertThat(failure.get("ip_address").asText()).isEqualTo("192.0.2.7");
    assertThat(failure.get("request_id").asText()).isEqualTo("req-9");
    assertThat(failure.get("reason").asText()).isEqualTo("unknown_key");
    assertThat(failure.has("user_id")).isFalse();
    JsonNode created = JSON.readTree(lines.get(1));
    assertThat(created.get("user_id").asText()).isEqualTo("admin-1");
    assertThat(created.get("api_key_id").asText()).isEqualTo("pk_123");
    assertThat(dir.resolve("audit.json.spool")).doesNotExist();
    assertThatThrownBy(
            () ->
                sink.record(
                    AuditEvent.of("auth.failure", AuditEvent.Outcome.FAILURE, null, null, null)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anAuditFileThatCannotBeOpenedStopsTheStart() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain"), "x");
    assertThatThrownBy(() -> Gateway.start(config(notADirectory.resolve("audit.json"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "audit_log.spool_path: cannot open " + notADirectory.resolve("audit.json.spool"));
  }
}
