package dev.portcullis.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.core.config.ConfigLoader;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.testing.LeakCheckExtension;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.admin.JwksEndpoint;
import dev.portcullis.proxy.demo.DemoBackends;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.RsaPrivateJwk;
import io.jsonwebtoken.security.RsaPublicJwk;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT authentication end to end: tokens signed in the test with a key published by a real JWKS
 * server, a gateway with the default Atlassian routes and permission rules, and the demo's mock
 * Jira verifying the gateway's identity token against the admin listener's JWKS.
 */
@ExtendWith(LeakCheckExtension.class)
class JwtAuthenticationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ISSUER = "https://idp.example.test";
  private static final String AUDIENCE = "portcullis";

  @TempDir static Path dir;
  private static KeyPair signingKey;
  private static String kid;
  private static HttpServer jwks;
  private static DemoBackends backends;
  private static Gateway gateway;
  private static Path auditFile;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    signingKey = Jwts.SIG.RS256.keyPair().build();
    RsaPrivateJwk jwk = Jwks.builder().rsaKeyPair(signingKey).idFromThumbprint().build();
    RsaPublicJwk publicJwk = jwk.toPublicJwk();
    kid = publicJwk.getId();
    String jwksJson = "{\"keys\":[" + Jwks.json(publicJwk) + "]}";
    byte[] body = jwksJson.getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext(
        "/jwks.json",
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    jwks.start();

    auditFile = dir.resolve("audit.json");
    String yaml =
        """
        server: {address: 127.0.0.1, port: 0, trusted_proxies: [127.0.0.1/32]}
        admin: {address: 127.0.0.1, port: 0}
        audit_log: {destination: file, path: %s}
        auth:
          access:
            brute_force: {max_failures: 5, window: 1m, block_time: 30s}
            audit_success_interval: 0s
          jwt:
            issuers:
              - issuer: %s
                jwks_url: http://127.0.0.1:%d/jwks.json
                audience: %s
        """
            .formatted(auditFile, ISSUER, jwks.getAddress().getPort(), AUDIENCE);
    GatewayConfig config = new ConfigLoader(Map.of()).parse(yaml, "auth-it.yaml");
    backends = DemoBackends.start();
    gateway = Gateway.start(backends.wire(config));
    URI gatewayJwks =
        URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort() + JwksEndpoint.PATH);
    backends.verifyIdentityTokens(gatewayJwks, config.auth().jwt().identityToken());
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (backends != null) {
      backends.close();
    }
    if (jwks != null) {
      jwks.stop(0);
    }
  }

  private static String token(String subject, String scope) {
    Instant now = Instant.now();
    return Jwts.builder()
        .header()
        .keyId(kid)
        .and()
        .issuer(ISSUER)
        .subject(subject)
        .audience()
        .add(AUDIENCE)
        .and()
        .id(UUID.randomUUID().toString())
        .claim("scope", scope)
        .claim("tenant_id", "acme")
        .issuedAt(Date.from(now))
        .expiration(Date.from(now.plus(Duration.ofMinutes(5))))
        .signWith(signingKey.getPrivate(), Jwts.SIG.RS256)
        .compact();
  }

  private HttpResponse<String> send(String method, String path, String authorization, String from)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.address().getPort() + path))
            .timeout(Duration.ofSeconds(10))
            .header("X-Forwarded-For", from)
            .method(
                method,
                method.equals("POST")
                    ? HttpRequest.BodyPublishers.ofString(
                        "{\"fields\":{\"project\":{\"key\":\"DEMO\"},\"summary\":\"x\","
                            + "\"issuetype\":{\"name\":\"Task\"}}}")
                    : HttpRequest.BodyPublishers.noBody());
    if (method.equals("POST")) {
      request.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aValidTokenReachesTheBackendAsTheGatewaysIdentityTokenOnly() throws Exception {
    String clientToken = token("alice", "jira:read confluence:read");
    HttpResponse<String> response =
        send("GET", "/rest/api/3/issue/DEMO-1", "Bearer " + clientToken, "10.9.0.1");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode identity =
        JSON.readTree(response.headers().firstValue("X-Mock-Identity").orElseThrow());
    JsonNode claims = identity.get("token_claims");
    // The mock verified a token signed by the gateway, not the client's.
    assertThat(claims.get("iss").asText()).isEqualTo("portcullis");
    assertThat(claims.get("sub").asText()).isEqualTo("alice");
    assertThat(claims.get("aud").toString()).contains("jira-api");
    assertThat(claims.get("auth_method").asText()).isEqualTo("jwt");
    assertThat(claims.get("tenant_id").asText()).isEqualTo("acme");
    assertThat(claims.get("scope").asText()).contains("jira:read");
    assertThat(identity.toString()).doesNotContain(clientToken);
  }

  @Test
  void theRoutesPermissionIsEnforced() throws Exception {
    String reader = token("bob", "jira:read");
    assertThat(send("POST", "/rest/api/3/issue", "Bearer " + reader, "10.9.0.2").statusCode())
        .isEqualTo(403);
    String writer = token("carol", "jira:write");
    assertThat(send("POST", "/rest/api/3/issue", "Bearer " + writer, "10.9.0.2").statusCode())
        .isEqualTo(201);
    // Confluence needs its own scopes.
    HttpResponse<String> denied =
        send("GET", "/wiki/rest/api/space", "Bearer " + reader, "10.9.0.2");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(denied.body()).get("error").asText()).isEqualTo("forbidden");
  }

  @Test
  void missingForgedAndUnsignedTokensAreRefusedAlike() throws Exception {
    HttpResponse<String> missing = send("GET", "/rest/api/3/issue/DEMO-1", null, "10.9.0.3");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"portcullis\"");

    String valid = token("dave", "jira:read");
    String[] parts = valid.split("\\.");
    String unsigned =
        java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[1]
            + ".";
    String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
    String body = null;
    for (String bad : List.of(unsigned, tampered)) {
      HttpResponse<String> refused =
          send("GET", "/rest/api/3/issue/DEMO-1", "Bearer " + bad, "10.9.0.3");
      assertThat(refused.statusCode()).isEqualTo(401);
      String normalised = refused.body().replaceAll("\"(request_id|trace_id)\":\"[^\"]*\"", "");
      if (body != null) {
        assertThat(normalised).isEqualTo(body);
      }
      body = normalised;
    }
  }

  @Test
  void anAddressThatKeepsFailingIsBlockedEvenWithAValidTokenAndItIsAudited() throws Exception {
    String from = "10.9.0.77";
    for (int i = 0; i < 5; i++) {
      assertThat(
              send("GET", "/rest/api/3/issue/DEMO-1", "Bearer not.a.token" + i, from).statusCode())
          .isEqualTo(401);
    }
    HttpResponse<String> blocked =
        send("GET", "/rest/api/3/issue/DEMO-1", "Bearer " + token("eve", "jira:read"), from);
    assertThat(blocked.statusCode()).isEqualTo(429);
    assertThat(blocked.headers().firstValue("Retry-After")).isPresent();
    assertThat(
            send(
                    "GET",
                    "/rest/api/3/issue/DEMO-1",
                    "Bearer " + token("eve", "jira:read"),
                    "10.9.0.78")
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void auditLinesCarryTheFieldsAndNoCredential() throws Exception {
    String clientToken = token("frank", "jira:read");
    send("GET", "/rest/api/3/issue/DEMO-2", "Bearer " + clientToken, "10.9.0.5");
    send("GET", "/rest/api/3/issue/DEMO-2", "Bearer " + clientToken + "x", "10.9.0.5");
    List<JsonNode> lines = auditLinesFor("10.9.0.5", 2);
    JsonNode success =
        lines.stream()
            .filter(l -> l.get("event").asText().equals("auth.success"))
            .findFirst()
            .orElseThrow();
    assertThat(success.get("user_id").asText()).isEqualTo("frank");
    assertThat(success.get("auth_method").asText()).isEqualTo("jwt");
    assertThat(success.get("result").asText()).isEqualTo("success");
    assertThat(success.get("key_id").asText()).isNotBlank(); // the jti
    assertThat(success.get("resource_accessed").asText()).isEqualTo("GET /rest/api/3/issue/DEMO-2");
    assertThat(success.get("user_agent").asText()).contains("Java-http-client");
    assertThat(success.has("request_id")).isTrue();
    assertThat(success.has("timestamp")).isTrue();
    JsonNode failure =
        lines.stream()
            .filter(l -> l.get("event").asText().equals("auth.failure"))
            .findFirst()
            .orElseThrow();
    assertThat(failure.get("error_code").asText()).isEqualTo("bad_signature");
    assertThat(failure.get("result").asText()).isEqualTo("failure");
    assertThat(Files.readString(auditFile))
        .doesNotContain(clientToken.substring(clientToken.lastIndexOf('.') + 1));
  }

  @Test
  void attemptsAreCountedInTheMetrics() throws Exception {
    send("GET", "/rest/api/3/issue/DEMO-1", "Bearer " + token("gina", "jira:read"), "10.9.0.6");
    String metrics =
        client
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + gateway.adminAddress().getPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .containsPattern(
            "portcullis_auth_attempts_total\\{method=\"jwt\",result=\"success\"} [1-9]")
        .containsPattern("(?m)^portcullis_identity_token_signatures_total [1-9]")
        .containsPattern("(?m)^portcullis_identity_token_waits_total [1-9]")
        .containsPattern("(?m)^portcullis_identity_token_signing_queue 0");
  }

  private static List<JsonNode> auditLinesFor(String ip, int atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<JsonNode> lines = new java.util.ArrayList<>();
      if (Files.exists(auditFile)) {
        for (String line : Files.readAllLines(auditFile)) {
          JsonNode json = JSON.readTree(line);
          if (ip.equals(json.path("ip_address").asText())) {
            lines.add(json);
          }
        }
      }
      if (lines.size() >= atLeast || System.nanoTime() > deadline) {
        return lines;
      }
      Thread.sleep(50);
    }
  }
}
