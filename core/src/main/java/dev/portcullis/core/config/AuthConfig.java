package dev.portcullis.core.config;

/**
 * Everything authentication needs, by concern: API keys and their store, JWT issuers and the
 * identity token the gateway signs for backends, and access control (scopes to permissions, route
 * rules, brute-force blocking). YAML: {@code auth.api_keys}, {@code auth.jwt}, {@code auth.access}.
 */
public record AuthConfig(ApiKeysConfig apiKeys, JwtConfig jwt, AccessControlConfig access) {
  public static final AuthConfig DEFAULTS =
      new AuthConfig(ApiKeysConfig.DEFAULTS, JwtConfig.DEFAULTS, AccessControlConfig.DEFAULTS);

  public AuthConfig {
    Checks.notNull("auth.api_keys", apiKeys);
    Checks.notNull("auth.jwt", jwt);
    Checks.notNull("auth.access", access);
  }
}
