package dev.portcullis.auth.jwt;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.identity.Principal;
import io.jsonwebtoken.ClaimJwtException;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.JwtParserBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.MalformedJwtException;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.InvalidKeyException;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import io.jsonwebtoken.security.UnsupportedKeyException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies tokens of one configured issuer: the header algorithm against the allowed list and the
 * key's type, the signature, {@code exp} (required), {@code nbf} and {@code iat} (not in the future
 * beyond the skew), {@code iss} and {@code aud}, then the revocation list; and maps the claims to a
 * {@link Principal}.
 *
 * <p>Threading: immutable apart from the {@link JwksCache}; called on an event loop for tokens
 * whose key is cached (the stage is then already complete) and on the HTTP client's thread after a
 * key set fetch.
 */
final class IssuerVerifier {
  private final JwtConfig.Issuer config;
  private final Set<String> algorithms;
  private final JwksCache jwks;
  private final JwtParser parser;
  private final long skewMillis;
  private final Clock clock;
  private final TokenRevocations revocations;
  private final VerifiedTokens verified;

  IssuerVerifier(
      JwtConfig.Issuer config,
      JwksCache jwks,
      Clock clock,
      TokenRevocations revocations,
      VerifiedTokens verified) {
    this.config = config;
    this.verified = verified;
    this.algorithms = Set.copyOf(config.algorithms());
    this.jwks = jwks;
    this.skewMillis = config.clockSkew().toMillis();
    this.clock = clock;
    this.revocations = revocations;
    JwtParserBuilder builder =
        Jwts.parser()
            .clock(() -> new Date(clock.millis()))
            .clockSkewSeconds(config.clockSkew().toSeconds());
    builder.sig().clear().add(signatureAlgorithms(config.algorithms())).and();
    if (config.sharedSecret() != null) {
      builder.verifyWith(
          new SecretKeySpec(
              config.sharedSecret().reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    } else {
      builder.keyLocator(new JwksLocator());
    }
    this.parser = builder.build();
  }

  JwksCache jwks() {
    return jwks;
  }

  CompletionStage<AuthVerdict> verify(String compact, TokenPeek peek) {
    if (!algorithms.contains(peek.algorithm())) {
      return JwtValidator.rejected(AuthFailure.BAD_ALGORITHM);
    }
    if (jwks == null) {
      return check(compact);
    }
    JwksCache.PublicJwk key = jwks.cached(peek.keyId());
    if (key != null) {
      return fits(peek.algorithm(), key)
          ? check(compact)
          : JwtValidator.rejected(AuthFailure.BAD_ALGORITHM);
    }
    CompletionStage<JwksCache.Snapshot> refresh = jwks.refreshForUnknownKid();
    if (refresh == null) {
      return missingKey(jwks.snapshot());
    }
    return refresh.thenCompose(
        snapshot -> {
          JwksCache.PublicJwk fetched = snapshot.find(peek.keyId());
          if (fetched == null) {
            return missingKey(snapshot);
          }
          return fits(peek.algorithm(), fetched)
              ? check(compact)
              : JwtValidator.rejected(AuthFailure.BAD_ALGORITHM);
        });
  }

  private CompletionStage<AuthVerdict> missingKey(JwksCache.Snapshot snapshot) {
    if (snapshot.failure() != null) {
      return CompletableFuture.completedStage(
          new AuthVerdict.Unavailable(
              "JWKS of issuer " + config.issuer() + " unavailable: " + snapshot.failure()));
    }
    return JwtValidator.rejected(AuthFailure.BAD_SIGNATURE);
  }

  /** Whether the key can verify the algorithm: RSA for RS/PS, P-256 for ES256, as its JWK pins. */
  static boolean fits(String algorithm, JwksCache.PublicJwk jwk) {
    if (jwk.algorithm() != null && !jwk.algorithm().equals(algorithm)) {
      return false;
    }
    return switch (algorithm) {
      case "RS256", "RS384", "RS512", "PS256" -> jwk.key() instanceof RSAPublicKey;
      case "ES256" ->
          jwk.key() instanceof ECPublicKey ec
              && ec.getParams().getCurve().getField().getFieldSize() == 256;
      default -> false;
    };
  }

  private CompletionStage<AuthVerdict> check(String compact) {
    Claims claims;
    try {
      claims = parser.parseSignedClaims(compact).getPayload();
    } catch (ExpiredJwtException e) {
      return rejected(AuthFailure.EXPIRED, e.getClaims());
    } catch (PrematureJwtException e) {
      return rejected(AuthFailure.NOT_YET_VALID, e.getClaims());
    } catch (ClaimJwtException e) {
      return rejected(AuthFailure.MISSING_CLAIM, e.getClaims());
    } catch (InvalidKeyException | UnsupportedKeyException | UnsupportedJwtException e) {
      return JwtValidator.rejected(AuthFailure.BAD_ALGORITHM);
    } catch (MalformedJwtException e) {
      return JwtValidator.rejected(AuthFailure.MALFORMED);
    } catch (io.jsonwebtoken.security.SecurityException e) {
      return JwtValidator.rejected(AuthFailure.BAD_SIGNATURE);
    } catch (JwtException | IllegalArgumentException e) {
      return JwtValidator.rejected(AuthFailure.MALFORMED);
    }
    long now = clock.millis();
    if (claims.getExpiration() == null) {
      return rejected(AuthFailure.MISSING_CLAIM, claims);
    }
    Date issuedAt = claims.getIssuedAt();
    if (issuedAt != null && issuedAt.getTime() > now + skewMillis) {
      return rejected(AuthFailure.NOT_YET_VALID, claims);
    }
    if (!config.issuer().equals(claims.getIssuer())) {
      return rejected(AuthFailure.UNKNOWN_ISSUER, claims);
    }
    Set<String> audience = claims.getAudience();
    if (audience == null || !audience.contains(config.audience())) {
      return rejected(AuthFailure.BAD_AUDIENCE, claims);
    }
    String subject = claims.getSubject();
    if (subject == null || subject.isEmpty()) {
      return rejected(AuthFailure.MISSING_CLAIM, claims);
    }
    Principal principal =
        new Principal(
            subject,
            text(claims.get(config.tenantClaim())),
            "jwt",
            scopes(claims),
            claims.getId(),
            null,
            clientId(claims),
            null);
    VerifiedTokens.Entry entry =
        verified.remember(
            compact,
            new AuthVerdict.Authenticated(principal),
            claims.getId(),
            claims.getExpiration().getTime() + skewMillis);
    return revocationChecked(entry, revocations);
  }

  /** The entry's verdict unless its {@code jti} is revoked; already complete when known locally. */
  static CompletionStage<AuthVerdict> revocationChecked(
      VerifiedTokens.Entry entry, TokenRevocations revocations) {
    String jti = entry.jti();
    if (jti == null) {
      return entry.answer();
    }
    CompletionStage<Boolean> revoked = revocations.isRevoked(jti);
    if (revoked == InMemoryTokenRevocations.NOT_REVOKED) {
      return entry.answer();
    }
    return revoked.handle(
        (isRevoked, error) -> {
          if (error != null) {
            return new AuthVerdict.Unavailable("revocation list unavailable");
          }
          return isRevoked
              ? new AuthVerdict.Rejected(
                  AuthFailure.REVOKED, jti, entry.verdict().principal().subject())
              : entry.verdict();
        });
  }

  private static CompletionStage<AuthVerdict> rejected(AuthFailure failure, Claims claims) {
    if (claims == null) {
      return JwtValidator.rejected(failure);
    }
    return CompletableFuture.completedStage(
        new AuthVerdict.Rejected(failure, claims.getId(), claims.getSubject()));
  }

  /** Scopes from {@code scope} (space-separated, RFC 8693) or {@code scp} (a list or a string). */
  static Set<String> scopes(Claims claims) {
    Object scope = claims.get("scope");
    if (scope == null) {
      scope = claims.get("scp");
    }
    if (scope instanceof String text) {
      Set<String> out = new LinkedHashSet<>();
      for (String part : text.split(" ")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
      return out;
    }
    if (scope instanceof Collection<?> list) {
      Set<String> out = new LinkedHashSet<>();
      for (Object item : list) {
        if (item instanceof String s && !s.isEmpty()) {
          out.add(s);
        }
      }
      return out;
    }
    return Set.of();
  }

  private static String clientId(Claims claims) {
    String clientId = text(claims.get("client_id"));
    return clientId != null ? clientId : text(claims.get("azp"));
  }

  private static String text(Object value) {
    return value instanceof String s && !s.isEmpty() ? s : null;
  }

  private static List<SecureDigestAlgorithm<?, ?>> signatureAlgorithms(List<String> names) {
    List<SecureDigestAlgorithm<?, ?>> out = new java.util.ArrayList<>();
    for (String name : names) {
      out.add(
          switch (name) {
            case "RS256" -> Jwts.SIG.RS256;
            case "RS384" -> Jwts.SIG.RS384;
            case "RS512" -> Jwts.SIG.RS512;
            case "PS256" -> Jwts.SIG.PS256;
            case "ES256" -> Jwts.SIG.ES256;
            case "HS256" -> Jwts.SIG.HS256;
            default -> throw new IllegalArgumentException("algorithm " + name);
          });
    }
    return out;
  }

  /** Hands jjwt the cached key the header names, refusing one that does not fit its algorithm. */
  private final class JwksLocator extends LocatorAdapter<Key> {
    @Override
    protected Key locate(JwsHeader header) {
      JwksCache.PublicJwk jwk = jwks.snapshot().find(header.getKeyId());
      if (jwk == null) {
        throw new io.jsonwebtoken.security.SignatureException("no key for the token's kid");
      }
      if (!fits(header.getAlgorithm(), jwk)) {
        throw new UnsupportedKeyException("key does not fit the token's algorithm");
      }
      return jwk.key();
    }
  }
}
