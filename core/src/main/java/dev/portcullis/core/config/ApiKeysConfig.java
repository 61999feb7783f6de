package dev.portcullis.core.config;

/** API keys and the credential store (YAML `auth.api_keys`). */
public record ApiKeysConfig() {
  public static final ApiKeysConfig DEFAULTS = new ApiKeysConfig();
}
