package dev.portcullis.proxy.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.jwt.JwtValidator;
import dev.portcullis.auth.jwt.TokenRevocations;
import dev.portcullis.core.config.JwtConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How a mock backend checks the gateway's identity token, as a real backend would: against the
 * gateway's JWKS, with the gateway's issuer and the backend's own audience, RS256 only. Uses the
 * gateway's own validator, so the JWKS is fetched off the mock's event loop and cached.
 *
 * <p>Thread-safe; {@link #verify} never completes exceptionally.
 */
final class IdentityTokenCheck implements AutoCloseable {
  private static final CompletionStage<ObjectNode> ABSENT = CompletableFuture.completedStage(null);

  private final JwtValidator validator;
  private final String header;

  private IdentityTokenCheck(JwtValidator validator, String header) {
    this.validator = validator;
    this.header = header;
  }

  static IdentityTokenCheck create(
      URI jwksUrl, JwtConfig.IdentityToken identityToken, String audience) {
    Clock clock = Clock.systemUTC();
    JwtConfig config =
        new JwtConfig(
            List.of(
                new JwtConfig.Issuer(
                    identityToken.issuer(),
                    jwksUrl,
                    null,
                    audience,
                    List.of("RS256"),
                    Duration.ofSeconds(30),
                    "tenant_id")),
            JwtConfig.DEFAULT_MAX_TOKEN_BYTES,
            // A restarted demo gateway has a new key: look it up again within a second.
            new JwtConfig.JwksSettings(
                Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(5)),
            null,
            JwtConfig.IdentityToken.DEFAULTS);
    return new IdentityTokenCheck(
        JwtValidator.create(config, TokenRevocations.inMemory(clock), clock),
        identityToken.header());
  }

  /** The verified token's claims, or null when it is absent or invalid. */
  CompletionStage<ObjectNode> verify(HttpHeaders headers) {
    String value = headers.get(header);
    if (value == null) {
      return ABSENT;
    }
    String token = value.trim();
    if (header.equalsIgnoreCase(HttpHeaderNames.AUTHORIZATION.toString())) {
      if (!token.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return ABSENT;
      }
      token = token.substring(7).trim();
    }
    String verified = token;
    return validator
        .verify(verified)
        .thenApply(
            verdict -> verdict instanceof AuthVerdict.Authenticated ? claims(verified) : null);
  }

  /** The payload of a token already verified. */
  private static ObjectNode claims(String token) {
    int first = token.indexOf('.');
    int second = token.indexOf('.', first + 1);
    try {
      return (ObjectNode)
          MockAtlassianServer.JSON.readTree(
              new String(
                  Base64.getUrlDecoder().decode(token.substring(first + 1, second)),
                  StandardCharsets.UTF_8));
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    validator.close();
  }
}
