package dev.portcullis.auth.token;

import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.identity.Principal;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.RsaPublicJwk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Signs the identity tokens sent to backends with one RSA key (RS256, {@code kid} = the key's RFC
 * 7638 thumbprint) and publishes its public half as a JWKS.
 *
 * <p>Cost: an RSA-2048 signature takes about a millisecond, far more than the rest of a request:
 * every call signs, so callers reuse tokens (the authentication filter's identity tokens) and call
 * it off the event loops. The key, its {@code kid} and the JWKS document are computed once at
 * construction.
 *
 * <p>The key comes from a PKCS#8 PEM file, or is generated at start. A generated key differs per
 * replica and per restart, so replicas that backends reach through one JWKS URL must share a
 * configured key.
 *
 * <p>Threading: thread-safe; the private key is immutable.
 */
public final class RsaIdentityTokenIssuer implements IdentityTokenIssuer {
  private static final int MIN_KEY_BITS = 2048;

  private final RSAPrivateCrtKey privateKey;
  private final String keyId;
  private final String jwksJson;
  private final String issuer;
  private final long ttlMillis;
  private final Clock clock;

  RsaIdentityTokenIssuer(RSAPrivateCrtKey privateKey, String issuer, long ttlMillis, Clock clock) {
    this.privateKey = privateKey;
    this.issuer = issuer;
    this.ttlMillis = ttlMillis;
    this.clock = clock;
    RSAPublicKey publicKey;
    try {
      publicKey =
          (RSAPublicKey)
              KeyFactory.getInstance("RSA")
                  .generatePublic(
                      new RSAPublicKeySpec(
                          privateKey.getModulus(), privateKey.getPublicExponent()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the RSA public key", e);
    }
    RsaPublicJwk jwk =
        Jwks.builder()
            .key(publicKey)
            .algorithm("RS256")
            .publicKeyUse("sig")
            .idFromThumbprint()
            .build();
    this.keyId = jwk.getId();
    this.jwksJson = "{\"keys\":[" + Jwks.json(jwk) + "]}";
  }

  /**
   * The issuer the configuration describes.
   *
   * @throws IllegalArgumentException naming {@code auth.jwt.identity_token.signing_key} when the
   *     file cannot be read or is not a PKCS#8 RSA key of at least 2048 bits
   */
  public static RsaIdentityTokenIssuer create(JwtConfig.IdentityToken config, Clock clock) {
    RSAPrivateCrtKey key = config.signingKey() == null ? generate() : load(config.signingKey());
    return new RsaIdentityTokenIssuer(key, config.issuer(), config.ttl().toMillis(), clock);
  }

  /**
   * The process's own key when none is configured: generated once, on first use (a class holder),
   * so every gateway in one JVM publishes the same key and only one pays for its generation.
   */
  private static final class GeneratedKey {
    static final RSAPrivateCrtKey INSTANCE = generate();
  }

  static RSAPrivateCrtKey generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(MIN_KEY_BITS);
      return (RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key", e);
    }
  }

  static RSAPrivateCrtKey load(Path file) {
    String where = "auth.jwt.identity_token.signing_key: '" + file + "' ";
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          where + "(expected: a readable file; " + e.getClass().getSimpleName() + ")");
    }
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          where + "(expected: a PKCS#8 PEM file, -----BEGIN PRIVATE KEY-----)");
    }
    String base64 =
        pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end).replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + "(expected: base64 between the PEM lines)");
    }
    try {
      java.security.PrivateKey key =
          KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
      if (!(key instanceof RSAPrivateCrtKey crt)) {
        throw new IllegalArgumentException(
            where + "(expected: an RSA private key with CRT values)");
      }
      if (crt.getModulus().bitLength() < MIN_KEY_BITS) {
        throw new IllegalArgumentException(
            where + "(expected: an RSA key of at least " + MIN_KEY_BITS + " bits)");
      }
      return crt;
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new IllegalArgumentException(where + "(expected: a PKCS#8 RSA private key)");
    }
  }

  /** The RFC 7638 thumbprint of the signing key, the tokens' {@code kid}. */
  public String keyId() {
    return keyId;
  }

  @Override
  public String issue(Principal principal, String audience) {
    long now = clock.millis();
    // Whole seconds, as NumericDate requires; the expiry keeps the full lifetime.
    long issuedAt = now - now % 1000;
    JwtBuilder builder =
        Jwts.builder()
            .header()
            .keyId(keyId)
            .type("JWT")
            .and()
            .issuer(issuer)
            .subject(principal.subject())
            .audience()
            .single(audience)
            .id(newJti())
            .issuedAt(new Date(issuedAt))
            .expiration(new Date(issuedAt + ttlMillis))
            .claim("scope", String.join(" ", new TreeSet<>(principal.scopes())))
            .claim("auth_method", principal.authMethod());
    if (principal.tenant() != null) {
      builder.claim("tenant_id", principal.tenant());
    }
    return builder.signWith(privateKey, Jwts.SIG.RS256).compact();
  }

  /** 128 random bits: unique, not secret, so no SecureRandom contention on the hot path. */
  private static String newJti() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public String jwksJson() {
    return jwksJson;
  }
}
