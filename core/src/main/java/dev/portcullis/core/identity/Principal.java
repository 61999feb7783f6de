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
 * @param permissions what the scopes grant, as access control mapped them; empty until then
 */
public record Principal(
    String subject,
    String tenant,
    String authMethod,
    Set<String> scopes,
    String credentialId,
    String keyType,
    String clientId,
    String rateLimit,
    Set<String> permissions) {

  public static final ExchangeKey<Principal> KEY = ExchangeKey.of("principal");

  public Principal {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(authMethod, "authMethod");
    scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
    permissions = permissions == null ? Set.of() : Set.copyOf(permissions);
  }

  /** A principal as a credential verifier establishes it, before access control grants anything. */
  public Principal(
      String subject,
      String tenant,
      String authMethod,
      Set<String> scopes,
      String credentialId,
      String keyType,
      String clientId,
      String rateLimit) {
    this(subject, tenant, authMethod, scopes, credentialId, keyType, clientId, rateLimit, Set.of());
  }

  /** The same principal with the permissions its scopes grant. */
  public Principal withPermissions(Set<String> granted) {
    return new Principal(
        subject, tenant, authMethod, scopes, credentialId, keyType, clientId, rateLimit, granted);
  }

  public boolean hasPermission(String permission) {
    return permissions.contains(permission);
  }
}
