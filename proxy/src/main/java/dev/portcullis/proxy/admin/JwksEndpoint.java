package dev.portcullis.proxy.admin;

import dev.portcullis.auth.token.IdentityTokenIssuer;

/**
 * {@code GET /.well-known/jwks.json}: the public keys backends verify the gateway's identity tokens
 * with. The document is fixed for the life of the issuer, so it is rendered once.
 */
public final class JwksEndpoint {
  public static final String PATH = "/.well-known/jwks.json";

  private JwksEndpoint() {}

  public static void register(AdminServer admin, IdentityTokenIssuer issuer) {
    AdminEndpoint.Reply reply =
        new AdminEndpoint.Reply(200, "application/jwk-set+json", issuer.jwksJson());
    admin.register(PATH, () -> reply);
  }
}
