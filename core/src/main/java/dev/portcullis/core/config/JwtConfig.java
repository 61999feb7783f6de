package dev.portcullis.core.config;

/**
 * JWT issuers accepted from clients and the identity token signed for backends (YAML `auth.jwt`).
 */
public record JwtConfig() {
  public static final JwtConfig DEFAULTS = new JwtConfig();
}
