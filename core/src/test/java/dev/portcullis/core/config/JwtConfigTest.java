package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtConfigTest {

  private static JwtConfig parse(String yaml, Map<String, String> env) throws ConfigException {
    return new ConfigLoader(env).parse(yaml, "gw.yaml").auth().jwt();
  }

  private static List<String> problems(String yaml) {
    return catchThrowableOfType(ConfigException.class, () -> parse(yaml, Map.of())).problems();
  }

  @Test
  void defaultsAcceptNoJwtAndSignIdentityTokensForJiraAndConfluence() throws Exception {
    JwtConfig jwt = new ConfigLoader(Map.of()).load(null).auth().jwt();
    assertThat(jwt.issuers()).isEmpty();
    assertThat(jwt.maxTokenBytes()).isEqualTo(8192);
    assertThat(jwt.jwks().refreshMinInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(jwt.revocationRedisUri()).isNull();
    assertThat(jwt.identityToken().enabled()).isTrue();
    assertThat(jwt.identityToken().header()).isEqualTo("Authorization");
    assertThat(jwt.identityToken().issuer()).isEqualTo("portcullis");
    assertThat(jwt.identityToken().ttl()).isEqualTo(Duration.ofSeconds(60));
    assertThat(jwt.identityToken().signingKey()).isNull();
    assertThat(jwt.identityToken().audienceFor("jira")).isEqualTo("jira-api");
    assertThat(jwt.identityToken().audienceFor("confluence")).isEqualTo("confluence-api");
    assertThat(jwt.identityToken().audienceFor("other")).isEqualTo("other");
  }

  @Test
  void issuersAndIdentityTokenAreBound() throws Exception {
    JwtConfig jwt =
        parse(
            """
            auth:
              jwt:
                max_token_bytes: 4KiB
                jwks: {refresh_min_interval: 10s, cache_ttl: 1h, fetch_timeout: 2s}
                revocation_redis_uri: redis://127.0.0.1:6379
                issuers:
                  - issuer: https://idp.example.com/
                    jwks_url: https://idp.example.com/.well-known/jwks.json
                    audience: portcullis
                    algorithms: [RS256, ES256]
                    clock_skew: 1m
                    tenant_claim: org
                  - issuer: legacy
                    shared_secret: ${LEGACY_SECRET}
                    audience: portcullis
                identity_token:
                  header: X-Identity
                  ttl: 30s
                  signing_key: /etc/portcullis/identity.pem
                  audiences: {jira: jira-prod}
            """,
            Map.of("LEGACY_SECRET", "0123456789abcdef0123456789abcdef"));
    assertThat(jwt.maxTokenBytes()).isEqualTo(4096);
    assertThat(jwt.jwks())
        .isEqualTo(
            new JwtConfig.JwksSettings(
                Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofSeconds(2)));
    assertThat(jwt.revocationRedisUri().reveal()).isEqualTo("redis://127.0.0.1:6379");
    JwtConfig.Issuer idp = jwt.issuers().get(0);
    assertThat(idp.jwksUrl())
        .isEqualTo(URI.create("https://idp.example.com/.well-known/jwks.json"));
    assertThat(idp.algorithms()).containsExactly("RS256", "ES256");
    assertThat(idp.clockSkew()).isEqualTo(Duration.ofMinutes(1));
    assertThat(idp.tenantClaim()).isEqualTo("org");
    JwtConfig.Issuer legacy = jwt.issuers().get(1);
    assertThat(legacy.algorithms()).containsExactly("HS256");
    assertThat(legacy.sharedSecret().reveal()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(legacy.clockSkew()).isEqualTo(Duration.ofMinutes(5));
    assertThat(legacy.tenantClaim()).isEqualTo("tenant_id");
    assertThat(jwt.identityToken().header()).isEqualTo("X-Identity");
    assertThat(jwt.identityToken().ttl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(jwt.identityToken().signingKey()).isEqualTo(Path.of("/etc/portcullis/identity.pem"));
    assertThat(jwt.identityToken().audienceFor("jira")).isEqualTo("jira-prod");
    assertThat(jwt.identityToken().audienceFor("confluence")).isEqualTo("confluence-api");
  }

  @Test
  void environmentOverridesIdentityTokenSettings() throws Exception {
    JwtConfig jwt =
        parse(
            "auth:\n  jwt:\n    issuers:\n      - {issuer: idp, jwks_url: 'https://idp/jwks', audience: a}\n",
            Map.of(
                "PORTCULLIS_AUTH_JWT_IDENTITY_TOKEN_ENABLED", "false",
                "PORTCULLIS_AUTH_JWT_MAX_TOKEN_BYTES", "16KiB",
                "PORTCULLIS_AUTH_JWT_ISSUERS_0_AUDIENCE", "b",
                "PORTCULLIS_AUTH_JWT_ISSUERS_0_ALGORITHMS", "RS256,PS256",
                "PORTCULLIS_AUTH_JWT_IDENTITY_TOKEN_AUDIENCES_JIRA", "jira-eu"));
    assertThat(jwt.identityToken().enabled()).isFalse();
    assertThat(jwt.maxTokenBytes()).isEqualTo(16384);
    assertThat(jwt.issuers().get(0).audience()).isEqualTo("b");
    assertThat(jwt.issuers().get(0).algorithms()).containsExactly("RS256", "PS256");
    assertThat(jwt.identityToken().audienceFor("jira")).isEqualTo("jira-eu");
  }

  @Test
  void issuerProblemsNameTheirKeyAndNeverTheSecret() {
    List<String> problems =
        problems(
            """
            auth:
              jwt:
                issuers:
                  - issuer: both
                    jwks_url: https://idp.example.com/jwks
                    shared_secret: super-secret-value-that-is-long-enough
                    audience: a
                  - issuer: hs-without-secret
                    jwks_url: https://idp.example.com/jwks
                    audience: a
                    algorithms: [RS256, HS256]
                  - issuer: none-allowed
                    jwks_url: https://idp.example.com/jwks
                    audience: a
                    algorithms: [none]
                  - issuer: neither
                    audience: a
                  - issuer: short
                    shared_secret: tiny-secret
                    audience: a
                  - jwks_url: ftp://idp.example.com/jwks
            """);
    assertThat(problems)
        .containsExactly(
            "gw.yaml: auth.jwt.issuers[0].shared_secret: set together with jwks_url (expected: either jwks_url or shared_secret)",
            "gw.yaml: auth.jwt.issuers[1].algorithms[1]: 'HS256' (expected: only for an issuer with shared_secret)",
            "gw.yaml: auth.jwt.issuers[2].algorithms[0]: 'none' (expected: RS256, RS384, RS512, PS256, ES256 or HS256; never none)",
            "gw.yaml: auth.jwt.issuers[3].jwks_url: missing (expected: jwks_url, or shared_secret for HS256)",
            "gw.yaml: auth.jwt.issuers[4].shared_secret: too short (expected: at least 32 bytes for HS256)",
            "gw.yaml: auth.jwt.issuers[5].issuer: missing (expected: a value)",
            "gw.yaml: auth.jwt.issuers[5].audience: missing (expected: a value)",
            "gw.yaml: auth.jwt.issuers[5].jwks_url: 'ftp://idp.example.com/jwks' (expected: an absolute https:// or http:// URL such as https://idp.example.com/.well-known/jwks.json)");
    assertThat(String.join("\n", problems)).doesNotContain("super-secret").doesNotContain("tiny");
  }

  @Test
  void identityTokenProblemsNameTheirKey() {
    assertThat(
            problems(
                "auth:\n  jwt:\n    max_token_bytes: lots\n    identity_token:\n"
                    + "      header: 'Bad Header'\n      ttl: 0s\n      audiences: {jira: ''}\n"))
        .containsExactly(
            "gw.yaml: auth.jwt.max_token_bytes: 'lots' (expected: a size such as 8192, 64KiB, 10MiB or 1GiB)",
            "gw.yaml: auth.jwt.identity_token.header: 'Bad Header' (expected: a header name such as Authorization)",
            "gw.yaml: auth.jwt.identity_token.ttl: '0s' (expected: a duration > 0)",
            "gw.yaml: auth.jwt.identity_token.audiences.jira: '' (expected: an audience such as jira-api)");
  }

  @Test
  void recordsRefuseInvalidIssuersBuiltInCode() {
    IllegalArgumentException e =
        catchThrowableOfType(
            IllegalArgumentException.class,
            () ->
                new JwtConfig.Issuer(
                    "x", null, null, "a", List.of("RS256"), Duration.ZERO, "tenant_id"));
    assertThat(e).hasMessageContaining("jwks_url").hasMessageContaining("expected");
    e =
        catchThrowableOfType(
            IllegalArgumentException.class,
            () ->
                new JwtConfig.Issuer(
                    "x",
                    URI.create("https://idp/jwks"),
                    null,
                    "a",
                    List.of("none"),
                    Duration.ZERO,
                    "tenant_id"));
    assertThat(e).hasMessageStartingWith("algorithms: 'none'");
  }
}
