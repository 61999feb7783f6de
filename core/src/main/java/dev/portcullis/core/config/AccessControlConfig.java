package dev.portcullis.core.config;

/** Scopes to permissions, route permission rules and brute-force blocking (YAML `auth.access`). */
public record AccessControlConfig() {
  public static final AccessControlConfig DEFAULTS = new AccessControlConfig();
}
