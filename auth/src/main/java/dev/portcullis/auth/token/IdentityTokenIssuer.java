package dev.portcullis.auth.token;

import dev.portcullis.core.identity.Principal;

/**
 * Signs the short-lived JWT the gateway sends to a backend in place of the client's credential, and
 * publishes the public keys backends verify it with. Thread-safe. {@link #issue} signs anew on
 * every call, which for RSA takes about a millisecond: call it off the event loops and reuse what
 * it returns.
 */
public interface IdentityTokenIssuer {
  /**
   * @param principal who made the request
   * @param audience the upstream's audience, such as {@code jira-api}
   * @return a compact RS256 JWT with {@code sub, scope, tenant_id, auth_method, jti, iat, exp, iss,
   *     aud}
   */
  String issue(Principal principal, String audience);

  /** The public signing keys as a JWKS document (JSON), served on the admin listener. */
  String jwksJson();
}
