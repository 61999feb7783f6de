package dev.portcullis.auth.apikey;

/** The kinds of API key, each recognisable by its prefix (secret scanners match on it). */
public enum ApiKeyType {
  USER("atl_user_"),
  SERVICE("atl_service_"),
  ADMIN("atl_admin_"),
  /** 32 lowercase hex characters, from before the prefixed format; carries no key id. */
  LEGACY("");

  private final String prefix;

  ApiKeyType(String prefix) {
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  /** The name used in configuration and in {@code Principal.keyType()}. */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
