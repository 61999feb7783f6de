package dev.portcullis.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JWT issuers accepted from clients and the identity token signed for backends (YAML {@code
 * auth.jwt}).
 *
 * @param issuers the issuers whose tokens are accepted; none means no JWT is accepted
 * @param maxTokenBytes a longer token is refused before it is decoded
 * @param jwks how issuers' key sets are fetched and cached
 * @param revocationRedisUri where revoked {@code jti}s are shared between replicas; null keeps them
 *     in memory (one replica)
 * @param identityToken the token the gateway signs for backends
 */
public record JwtConfig(
    List<Issuer> issuers,
    int maxTokenBytes,
    JwksSettings jwks,
    Secret revocationRedisUri,
    IdentityToken identityToken) {

  /** The algorithms an issuer may allow; {@code none} never is. */
  public static final Set<String> SUPPORTED_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "ES256", "HS256");

  public static final int DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

  public static final JwtConfig DEFAULTS =
      new JwtConfig(
          List.of(), DEFAULT_MAX_TOKEN_BYTES, JwksSettings.DEFAULTS, null, IdentityToken.DEFAULTS);

  public JwtConfig {
    Checks.notNull("auth.jwt.issuers", issuers);
    issuers = List.copyOf(issuers);
    Checks.positive("auth.jwt.max_token_bytes", maxTokenBytes);
    Checks.notNull("auth.jwt.jwks", jwks);
    Checks.notNull("auth.jwt.identity_token", identityToken);
    Set<String> names = new java.util.HashSet<>();
    for (Issuer issuer : issuers) {
      if (!names.add(issuer.issuer())) {
        throw new IllegalArgumentException(
            "auth.jwt.issuers: '" + issuer.issuer() + "' twice (expected: each issuer once)");
      }
    }
  }

  /**
   * One accepted issuer.
   *
   * @param issuer the exact {@code iss} value
   * @param jwksUrl where its public keys are published; null when {@code sharedSecret} is set
   * @param sharedSecret the HS256 key (at least 32 bytes); null when {@code jwksUrl} is set
   * @param audience a token's {@code aud} must contain it
   * @param algorithms the header algorithms accepted
   * @param clockSkew tolerance on {@code exp}, {@code nbf} and {@code iat}
   * @param tenantClaim the claim naming the tenant
   */
  public record Issuer(
      String issuer,
      URI jwksUrl,
      Secret sharedSecret,
      String audience,
      List<String> algorithms,
      Duration clockSkew,
      String tenantClaim) {
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256");
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final String DEFAULT_TENANT_CLAIM = "tenant_id";
    public static final int MIN_SHARED_SECRET_BYTES = 32;

    public Issuer {
      Checks.notBlank("issuer", issuer);
      Checks.notBlank("audience", audience);
      Checks.notBlank("tenant_claim", tenantClaim);
      Checks.notNegative("clock_skew", clockSkew);
      algorithms = List.copyOf(algorithms == null ? DEFAULT_ALGORITHMS : algorithms);
      if ((jwksUrl == null) == (sharedSecret == null)) {
        throw new IllegalArgumentException(
            "jwks_url: "
                + jwksUrl
                + " (expected: either jwks_url or shared_secret, not both and not neither)");
      }
      if (algorithms.isEmpty()) {
        throw new IllegalArgumentException("algorithms: [] (expected: at least one algorithm)");
      }
      for (String algorithm : algorithms) {
        if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
          throw new IllegalArgumentException(
              "algorithms: '"
                  + algorithm
                  + "' (expected: RS256, RS384, RS512, PS256, ES256 or HS256)");
        }
      }
      boolean hmac = algorithms.contains("HS256");
      if (hmac && sharedSecret == null) {
        throw new IllegalArgumentException(
            "algorithms: HS256 (expected: only for an issuer with shared_secret)");
      }
      if (sharedSecret != null && (!hmac || algorithms.size() > 1)) {
        throw new IllegalArgumentException(
            "algorithms: " + algorithms + " (expected: [HS256] for an issuer with shared_secret)");
      }
      if (sharedSecret != null
          && sharedSecret.reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              < MIN_SHARED_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "shared_secret: ****** (expected: at least 32 bytes for HS256)");
      }
    }
  }

  /**
   * @param refreshMinInterval an unknown {@code kid} refetches a key set at most this often
   * @param cacheTtl a key set older than this is refetched in the background (its keys stay in use
   *     meanwhile)
   * @param fetchTimeout how long one fetch may take
   */
  public record JwksSettings(
      Duration refreshMinInterval, Duration cacheTtl, Duration fetchTimeout) {
    public static final JwksSettings DEFAULTS =
        new JwksSettings(Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(5));

    public JwksSettings {
      Checks.notNegative("auth.jwt.jwks.refresh_min_interval", refreshMinInterval);
      Checks.positive("auth.jwt.jwks.cache_ttl", cacheTtl);
      Checks.positive("auth.jwt.jwks.fetch_timeout", fetchTimeout);
    }
  }

  /**
   * The JWT the gateway sends to backends in place of the client's credential.
   *
   * @param enabled whether one is sent
   * @param header the request header carrying it; {@code Authorization} gets {@code Bearer <jwt>},
   *     any other header the bare token
   * @param issuer its {@code iss}
   * @param ttl its lifetime
   * @param signingKey a PKCS#8 PEM RSA private key; null generates one at start (then each replica
   *     has its own key, so replicas behind one JWKS URL must share a configured key)
   * @param audiences {@code aud} per upstream name; an upstream not listed gets its own name
   */
  public record IdentityToken(
      boolean enabled,
      String header,
      String issuer,
      Duration ttl,
      Path signingKey,
      Map<String, String> audiences) {
    public static final Map<String, String> DEFAULT_AUDIENCES =
        Map.of("jira", "jira-api", "confluence", "confluence-api");

    public static final IdentityToken DEFAULTS =
        new IdentityToken(
            true, "Authorization", "portcullis", Duration.ofSeconds(60), null, DEFAULT_AUDIENCES);

    public IdentityToken {
      Checks.notBlank("auth.jwt.identity_token.header", header);
      Checks.notBlank("auth.jwt.identity_token.issuer", issuer);
      Checks.positive("auth.jwt.identity_token.ttl", ttl);
      Map<String, String> merged = new LinkedHashMap<>(DEFAULT_AUDIENCES);
      if (audiences != null) {
        merged.putAll(audiences);
      }
      audiences = Map.copyOf(merged);
    }

    /** The {@code aud} of tokens sent to the named upstream. */
    public String audienceFor(String upstream) {
      return audiences.getOrDefault(upstream, upstream);
    }
  }
}
