package dev.portcullis.core.identity;

import dev.portcullis.core.pipeline.ExchangeKey;
import java.util.Objects;
import java.util.Set;

/**
 * Who made a request, as authentication established it. Attached to the exchange under {@link #KEY}
 * by the authentication filters; read by authorisation, rate limiting, caching and the identity
 * token sent upstream. Immutable.
 *
 * @param subject the user or service id
 * @param tenant the tenant (organisation), or null
 * @param authMethod how it authenticated: {@code api_key}, {@code jwt}, {@code oauth}, {@code saml}
 * @param scopes granted scopes
 * @param credentialId the API key id or the token's {@code jti}, never a secret
 * @param keyType for API keys: {@code user}, {@code service}, {@code admin} or {@code legacy};
 *     otherwise null
 * @param clientId the OAuth client, or null
 * @param rateLimit the credential's own rate limit such as {@code 500/hour}, overriding the
 *     defaults for its key type; null for none
 */
public record Principal(
    String subject,
    String tenant,
    String authMethod,
    Set<String> scopes,
    String credentialId,
    String keyType,
    String clientId,
    String rateLimit) {

  public static final ExchangeKey<Principal> KEY = ExchangeKey.of("principal");

  public Principal {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(authMethod, "authMethod");
    scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
  }
}
