package dev.portcullis.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.identity.Principal;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issued tokens checked by an independent jjwt parser against the published JWKS. */
class RsaIdentityTokenIssuerTest {
  private static final Principal ALICE =
      new Principal(
          "alice",
          "acme",
          "api_key",
          Set.of("jira:write", "jira:read"),
          "key-123",
          "user",
          null,
          null);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-25T12:00:00.250Z"));

  private static Jws<Claims> parse(String jwksJson, String token, Clock at) {
    JwkSet set = Jwks.setParser().build().parse(jwksJson);
    return Jwts.parser()
        .clock(() -> Date.from(at.instant()))
        .keyLocator(
            new LocatorAdapter<Key>() {
              @Override
              protected Key locate(JwsHeader header) {
                for (Jwk<?> jwk : set.getKeys()) {
                  if (jwk.getId().equals(header.getKeyId())) {
                    return jwk.toKey();
                  }
                }
                throw new IllegalStateException("no key " + header.getKeyId());
              }
            })
        .build()
        .parseSignedClaims(token);
  }

  @Test
  void issuedTokenVerifiesAgainstTheJwksAndCarriesTheClaims() {
    RsaIdentityTokenIssuer issuer =
        RsaIdentityTokenIssuer.create(JwtConfig.IdentityToken.DEFAULTS, clock);

    String token = issuer.issue(ALICE, "jira-api");
    Jws<Claims> jws = parse(issuer.jwksJson(), token, clock);

    assertThat(jws.getHeader().getAlgorithm()).isEqualTo("RS256");
    assertThat(jws.getHeader().getKeyId()).isEqualTo(issuer.keyId());
    Claims claims = jws.getPayload();
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getIssuer()).isEqualTo("portcullis");
    assertThat(claims.getAudience()).containsExactly("jira-api");
    assertThat(claims.get("scope")).isEqualTo("jira:read jira:write");
    assertThat(claims.get("tenant_id")).isEqualTo("acme");
    assertThat(claims.get("auth_method")).isEqualTo("api_key");
    assertThat(claims.getId()).isNotBlank();
    assertThat(claims.getIssuedAt()).isEqualTo(Date.from(Instant.parse("2026-11-25T12:00:00Z")));
    assertThat(claims.getExpiration()).isEqualTo(Date.from(Instant.parse("2026-11-25T12:01:00Z")));
    // The aud is a single string, as most backends' JWT libraries expect.
    String payload =
        new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    assertThat(payload).contains("\"aud\":\"jira-api\"");
  }

  @Test
  void kidIsTheRfc7638ThumbprintOfThePublishedKey() {
    RsaIdentityTokenIssuer issuer =
        RsaIdentityTokenIssuer.create(JwtConfig.IdentityToken.DEFAULTS, clock);
    JwkSet set = Jwks.setParser().build().parse(issuer.jwksJson());
    assertThat(set.getKeys()).hasSize(1);
    Jwk<?> jwk = set.getKeys().iterator().next();
    assertThat(jwk.getId()).isEqualTo(jwk.thumbprint().toString()).isEqualTo(issuer.keyId());
    assertThat(jwk.getType()).isEqualTo("RSA");
    assertThat(issuer.jwksJson()).doesNotContain("\"d\"").doesNotContain("\"p\"");
  }

  @Test
  void everyCallSignsANewTokenForItsAudienceAndTheTimeOfTheCall() {
    RsaIdentityTokenIssuer issuer =
        RsaIdentityTokenIssuer.create(JwtConfig.IdentityToken.DEFAULTS, clock);
    String first = issuer.issue(ALICE, "jira-api");
    String again = issuer.issue(ALICE, "jira-api");
    assertThat(again).isNotEqualTo(first);
    assertThat(parse(issuer.jwksJson(), again, clock).getPayload().getId())
        .isNotEqualTo(parse(issuer.jwksJson(), first, clock).getPayload().getId());
    Claims forConfluence =
        parse(issuer.jwksJson(), issuer.issue(ALICE, "confluence-api"), clock).getPayload();
    assertThat(forConfluence.getAudience()).containsExactly("confluence-api");
    Principal bob = new Principal("bob", null, "jwt", Set.of(), "j", null, null, null);
    Claims bobs = parse(issuer.jwksJson(), issuer.issue(bob, "jira-api"), clock).getPayload();
    assertThat(bobs.get("tenant_id")).isNull();
    assertThat(bobs.get("scope")).isEqualTo("");

    clock.advance(Duration.ofSeconds(31));
    String later = issuer.issue(ALICE, "jira-api");
    assertThat(parse(issuer.jwksJson(), later, clock).getPayload().getExpiration())
        .isEqualTo(Date.from(Instant.parse("2026-11-25T12:01:31Z")));
  }

  @Test
  void aConfiguredPkcs8KeyIsUsed(@TempDir Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    Path pem = dir.resolve("identity.pem");
    Files.writeString(
        pem,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    JwtConfig.IdentityToken config =
        new JwtConfig.IdentityToken(
            true, "Authorization", "gw", Duration.ofSeconds(60), pem, Map.of());

    RsaIdentityTokenIssuer issuer = RsaIdentityTokenIssuer.create(config, clock);
    String token = issuer.issue(ALICE, "jira-api");

    Claims claims =
        Jwts.parser()
            .clock(() -> Date.from(clock.instant()))
            .verifyWith(pair.getPublic())
            .build()
            .parseSignedClaims(token)
            .getPayload();
    assertThat(claims.getIssuer()).isEqualTo("gw");
    // Two issuers with the same key publish the same kid, so replicas can share one JWKS.
    assertThat(RsaIdentityTokenIssuer.create(config, clock).keyId()).isEqualTo(issuer.keyId());
  }

  @Test
  void anUnusableKeyFileIsReportedWithItsKey(@TempDir Path dir) throws Exception {
    Path pem = dir.resolve("bad.pem");
    Files.writeString(
        pem, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    JwtConfig.IdentityToken config =
        new JwtConfig.IdentityToken(
            true, "Authorization", "gw", Duration.ofSeconds(60), pem, Map.of());
    assertThatThrownBy(() -> RsaIdentityTokenIssuer.create(config, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("auth.jwt.identity_token.signing_key: '" + pem + "'")
        .hasMessageContaining("PKCS#8");
    JwtConfig.IdentityToken missing =
        new JwtConfig.IdentityToken(
            true, "Authorization", "gw", Duration.ofSeconds(60), dir.resolve("none.pem"), Map.of());
    assertThatThrownBy(() -> RsaIdentityTokenIssuer.create(missing, clock))
        .hasMessageStartingWith("auth.jwt.identity_token.signing_key: ");
  }

  @Test
  void audiencesDefaultPerUpstream() {
    JwtConfig.IdentityToken config =
        new JwtConfig.IdentityToken(
            true,
            "X-Identity",
            "gw",
            Duration.ofSeconds(60),
            null,
            Map.of("billing", "billing-v2"));
    assertThat(config.audienceFor("jira")).isEqualTo("jira-api");
    assertThat(config.audienceFor("confluence")).isEqualTo("confluence-api");
    assertThat(config.audienceFor("billing")).isEqualTo("billing-v2");
    assertThat(config.audienceFor("wiki")).isEqualTo("wiki");
  }

  /** A clock the test moves by hand. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      now = start;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
