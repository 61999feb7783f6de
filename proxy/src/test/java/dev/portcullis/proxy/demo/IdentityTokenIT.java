package dev.portcullis.proxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.token.IdentityTokenIssuer;
import dev.portcullis.auth.token.RsaIdentityTokenIssuer;
import dev.portcullis.core.config.ConfigLoader;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.admin.JwksEndpoint;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's JWKS on the admin listener, and the mock backends verifying identity tokens against
 * it over HTTP as a real Jira or Confluence behind the gateway would.
 */
class IdentityTokenIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Principal ALICE =
      new Principal(
          "alice",
          "acme",
          "api_key",
          Set.of("jira:read", "confluence:read"),
          "k1",
          "user",
          null,
          null);
  private static DemoBackends backends;
  private static Gateway gateway;
  private static URI jwksUrl;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    GatewayConfig config =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_SERVER_PORT", "0",
                    "PORTCULLIS_SERVER_ADDRESS", "127.0.0.1",
                    "PORTCULLIS_ADMIN_PORT", "0"))
            .load(null);
    backends = DemoBackends.start();
    gateway = Gateway.start(backends.wire(config));
    jwksUrl =
        URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort() + JwksEndpoint.PATH);
    backends.verifyIdentityTokens(jwksUrl, config.auth().jwt().identityToken());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    backends.close();
  }

  private HttpResponse<String> get(URI base, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void adminListenerServesThePublicKeyTheTokensAreSignedWith() throws Exception {
    HttpResponse<String> response =
        client.send(HttpRequest.newBuilder(jwksUrl).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/jwk-set+json");
    JwkSet set = Jwks.setParser().build().parse(response.body());
    assertThat(set.getKeys()).hasSize(1);
    Jwk<?> key = set.getKeys().iterator().next();
    assertThat(key.getType()).isEqualTo("RSA");
    assertThat(key.toKey()).isInstanceOf(java.security.PublicKey.class);
    String token = gateway.identityTokens().issue(ALICE, "jira-api");
    String header =
        new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
    assertThat(JSON.readTree(header).get("kid").asText()).isEqualTo(key.getId());
  }

  @Test
  void mockJiraAnswersAsTheTokensSubjectAndEchoesItsClaims() throws Exception {
    String token = gateway.identityTokens().issue(ALICE, "jira-api");

    HttpResponse<String> response = get(backends.jira().uri(), "/rest/api/3/myself", token);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("accountId").asText()).isEqualTo("alice");
    JsonNode claims =
        JSON.readTree(response.headers().firstValue("X-Mock-Identity").orElseThrow())
            .get("token_claims");
    assertThat(claims.get("sub").asText()).isEqualTo("alice");
    assertThat(claims.get("aud").asText()).isEqualTo("jira-api");
    assertThat(claims.get("iss").asText()).isEqualTo("portcullis");
    assertThat(claims.get("tenant_id").asText()).isEqualTo("acme");
    assertThat(claims.get("auth_method").asText()).isEqualTo("api_key");
    assertThat(claims.get("scope").asText()).isEqualTo("confluence:read jira:read");
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(60);
  }

  @Test
  void mockConfluenceVerifiesItsOwnAudience() throws Exception {
    String forConfluence = gateway.identityTokens().issue(ALICE, "confluence-api");
    HttpResponse<String> current =
        get(backends.confluence().uri(), "/wiki/rest/api/user/current", forConfluence);
    assertThat(current.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(current.body()).get("accountId").asText()).isEqualTo("alice");

    // A token for Confluence is not accepted by Jira, and the other way round.
    assertThat(get(backends.jira().uri(), "/rest/api/3/myself", forConfluence).statusCode())
        .isEqualTo(401);
    String forJira = gateway.identityTokens().issue(ALICE, "jira-api");
    assertThat(get(backends.confluence().uri(), "/wiki/rest/api/space", forJira).statusCode())
        .isEqualTo(401);
  }

  @Test
  void missingOrForeignTokensGet401LikeJira(@TempDir Path dir) throws Exception {
    HttpResponse<String> none = get(backends.jira().uri(), "/rest/api/3/issue/DEMO-1", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(JSON.readTree(none.body()).get("errorMessages").get(0).asText())
        .contains("not authenticated");

    assertThat(get(backends.jira().uri(), "/rest/api/3/issue/DEMO-1", "garbage").statusCode())
        .isEqualTo(401);

    // Signed by another key that claims the same issuer: the kid is not in the gateway's JWKS.
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    Path pem = dir.resolve("other.pem");
    Files.writeString(
        pem,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder()
                .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    IdentityTokenIssuer impostor =
        RsaIdentityTokenIssuer.create(
            new JwtConfig.IdentityToken(
                true, "Authorization", "portcullis", Duration.ofSeconds(60), pem, Map.of()),
            Clock.systemUTC());
    assertThat(
            get(backends.jira().uri(), "/rest/api/3/myself", impostor.issue(ALICE, "jira-api"))
                .statusCode())
        .isEqualTo(401);

    // The genuine token still works on the same mock.
    assertThat(
            get(
                    backends.jira().uri(),
                    "/rest/api/3/issue/DEMO-1",
                    gateway.identityTokens().issue(ALICE, "jira-api"))
                .statusCode())
        .isEqualTo(200);
  }
}
