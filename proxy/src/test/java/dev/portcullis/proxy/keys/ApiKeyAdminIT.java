package dev.portcullis.proxy.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyType;
import dev.portcullis.auth.apikey.IssuedApiKey;
import dev.portcullis.auth.apikey.NewApiKey;
import dev.portcullis.auth.testing.KeyStores;
import dev.portcullis.core.config.ApiKeysConfig;
import dev.portcullis.core.config.AuditLogConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.Secret;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.TestGateways;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Key management over real HTTP on the admin listener, on H2 and on PostgreSQL. */
class ApiKeyAdminIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Secret PEPPER = Secret.of("admin-it-pepper-" + "z".repeat(40));
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir Path dir;
  private String admin;

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private HttpResponse<String> send(String method, String path, String key, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(admin + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void keysAreManagedThroughTheAdminListener(KeyStores.Kind kind) throws Exception {
    Path auditFile = dir.resolve("audit.json");
    List<String> clearKeys = new ArrayList<>();
    try (KeyStores stores = new KeyStores(kind)) {
      ApiKeysConfig keysConfig =
          ApiKeysConfig.DEFAULTS.withStore(stores.store()).withPepper(PEPPER);
      ApiKeyService service =
          ApiKeyService.open(keysConfig, null, Clock.systemUTC(), stores.schema());
      IssuedApiKey adminKey =
          await(
              service.create(
                  new NewApiKey(
                      ApiKeyType.ADMIN, "root", "ops", List.of(), null, false, List.of(), null)));
      IssuedApiKey userKey =
          await(
              service.create(
                  new NewApiKey(
                      ApiKeyType.USER, "mallory", null, List.of(), null, false, List.of(), null)));
      clearKeys.add(adminKey.key());
      adminKeyForBadRequests = adminKey.key();
      clearKeys.add(userKey.key());
      GatewayConfig config =
          TestGateways.config(URI.create("http://127.0.0.1:9"))
              .withAuditLog(new AuditLogConfig(AuditLogConfig.Destination.FILE, auditFile, null));
      try (Gateway gateway = Gateway.start(config, service)) {
        admin = "http://127.0.0.1:" + gateway.adminAddress().getPort();

        // no key, a refused key, a key that is not an admin key
        HttpResponse<String> none = send("GET", "/admin/api-keys", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate"))
            .contains("Bearer realm=\"portcullis-admin\"");
        assertThat(JSON.readTree(none.body()).get("error").asText()).isEqualTo("unauthorized");
        // The last character changed (to one it is not), so the checksum no longer matches.
        String forged =
            adminKey.key().substring(0, adminKey.key().length() - 1)
                + (adminKey.key().endsWith("x") ? "y" : "x");
        assertThat(send("GET", "/admin/api-keys", forged, null).statusCode()).isEqualTo(401);
        HttpResponse<String> user = send("GET", "/admin/api-keys", userKey.key(), null);
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(user.body()).get("error").asText()).isEqualTo("forbidden");

        // health and metrics stay open
        assertThat(send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/metrics", null, null).statusCode()).isEqualTo(200);

        // create
        HttpResponse<String> created =
            send(
                "POST",
                "/admin/api-keys",
                adminKey.key(),
                "{\"type\":\"service\",\"subject\":\"ci-bot\",\"tenant\":\"acme\","
                    + "\"scopes\":[\"jira:read\",\"jira:write\"],\"expires\":\"30d\","
                    + "\"allowed_ips\":[\"127.0.0.0/8\"],\"rate_limit\":\"100/minute\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = JSON.readTree(created.body());
        String key = body.get("key").asText();
        String id = body.get("id").asText();
        clearKeys.add(key);
        assertThat(key).startsWith("atl_service_" + id);
        assertThat(created.headers().firstValue("Location")).contains("/admin/api-keys/" + id);
        assertThat(body.get("scopes").toString()).isEqualTo("[\"jira:read\",\"jira:write\"]");
        assertThat(body.get("allowed_ips").toString()).isEqualTo("[\"127.0.0.0/8\"]");
        assertThat(body.get("rate_limit").asText()).isEqualTo("100/minute");
        assertThat(body.get("status").asText()).isEqualTo("active");
        assertThat(await(service.verify(key, InetAddress.getLoopbackAddress())))
            .isInstanceOf(AuthVerdict.Authenticated.class);

        // bad input names the field
        assertBadRequest("{\"type\":\"robot\",\"subject\":\"x\"}", "type: 'robot'");
        assertBadRequest("{\"type\":\"user\"}", "subject: missing");
        assertBadRequest(
            "{\"type\":\"user\",\"subject\":\"x\",\"scope\":[]}", "scope: unknown field");
        assertBadRequest(
            "{\"type\":\"user\",\"subject\":\"x\",\"scopes\":\"jira:read\"}", "scopes: ");
        assertBadRequest(
            "{\"type\":\"user\",\"subject\":\"x\",\"allowed_ips\":[\"10.0.0.0/33\"]}",
            "allowed_ips: ");
        assertBadRequest(
            "{\"type\":\"user\",\"subject\":\"x\",\"rate_limit\":\"lots\"}", "rate_limit: ");
        assertBadRequest(
            "{\"type\":\"user\",\"subject\":\"x\",\"expires\":\"2001-01-01T00:00:00Z\"}",
            "expires: ");
        assertBadRequest("not json", "body: ");

        // list (with X-API-Key this time), filters, never a secret
        HttpResponse<String> listed =
            http.send(
                HttpRequest.newBuilder(URI.create(admin + "/admin/api-keys?subject=ci-bot"))
                    .header("X-API-Key", adminKey.key())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(listed.body()).get("api_keys");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("id").asText()).isEqualTo(id);
        assertThat(list.get(0).has("key")).isFalse();
        JsonNode all = JSON.readTree(send("GET", "/admin/api-keys", adminKey.key(), null).body());
        assertThat(all.get("api_keys")).hasSize(3);
        assertThat(
                JSON.readTree(
                        send("GET", "/admin/api-keys?tenant=ops", adminKey.key(), null).body())
                    .get("api_keys"))
            .hasSize(1);
        for (String clear : clearKeys) {
          assertThat(all.toString()).doesNotContain(clear.substring(clear.length() - 40));
        }

        // show
        HttpResponse<String> shown = send("GET", "/admin/api-keys/" + id, adminKey.key(), null);
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(shown.body()).get("subject").asText()).isEqualTo("ci-bot");
        assertThat(send("GET", "/admin/api-keys/nope", adminKey.key(), null).statusCode())
            .isEqualTo(404);

        // rotate: both secrets work during the grace period
        HttpResponse<String> rotated =
            send("POST", "/admin/api-keys/" + id + "/rotate", adminKey.key(), null);
        assertThat(rotated.statusCode()).isEqualTo(200);
        String newKey = JSON.readTree(rotated.body()).get("key").asText();
        clearKeys.add(newKey);
        assertThat(newKey).isNotEqualTo(key).startsWith("atl_service_" + id);
        assertThat(JSON.readTree(rotated.body()).get("previous_valid_until").isNull()).isFalse();
        assertThat(await(service.verify(newKey, InetAddress.getLoopbackAddress())))
            .isInstanceOf(AuthVerdict.Authenticated.class);
        assertThat(await(service.verify(key, InetAddress.getLoopbackAddress())))
            .isInstanceOf(AuthVerdict.Authenticated.class);

        // revoke
        HttpResponse<String> revoked =
            send("DELETE", "/admin/api-keys/" + id, adminKey.key(), null);
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(revoked.body()).get("status").asText()).isEqualTo("revoked");
        AuthVerdict after = await(service.verify(newKey, InetAddress.getLoopbackAddress()));
        assertThat(((AuthVerdict.Rejected) after).failure()).isEqualTo(AuthFailure.REVOKED);
        assertThat(send("DELETE", "/admin/api-keys/nope", adminKey.key(), null).statusCode())
            .isEqualTo(404);
        assertThat(
                send("POST", "/admin/api-keys/" + id + "/rotate", adminKey.key(), null)
                    .statusCode())
            .isEqualTo(404);

        // method not allowed names the allowed ones
        HttpResponse<String> put = send("PUT", "/admin/api-keys/" + id, adminKey.key(), "{}");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).contains("GET, DELETE");
      }
    }
    List<String> lines = Files.readAllLines(auditFile);
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      for (String clear : clearKeys) {
        assertThat(line).doesNotContain(clear).doesNotContain(clear.substring(clear.length() - 49));
      }
      events.add(JSON.readTree(line));
    }
    assertThat(events)
        .extracting(e -> e.get("event").asText())
        .containsExactly("api_key.created", "api_key.rotated", "api_key.revoked");
    for (JsonNode event : events) {
      assertThat(event.get("subject").asText()).isEqualTo("ci-bot");
      assertThat(event.get("tenant").asText()).isEqualTo("acme");
      assertThat(event.get("key_id").asText()).isNotBlank();
      assertThat(event.get("actor").asText()).isEqualTo("root");
      assertThat(event.get("user_id").asText()).isEqualTo("root");
      assertThat(event.get("ip_address").asText()).isEqualTo("127.0.0.1");
      assertThat(event.get("result").asText()).isEqualTo("success");
    }
  }

  private void assertBadRequest(String body, String messageStart) throws Exception {
    HttpResponse<String> response = send("POST", "/admin/api-keys", adminKeyForBadRequests, body);
    assertThat(response.statusCode()).as(body).isEqualTo(400);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo("invalid_request");
    assertThat(json.get("message").asText()).as(body).startsWith(messageStart);
  }

  private String adminKeyForBadRequests;
}
