package dev.portcullis.core.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A configuration value that must never be printed: it renders as {@code ******} everywhere
 * (toString, {@code config check}, logs) and only {@link #reveal()} gives the clear value.
 *
 * <p>In YAML it is written as a literal, as {@code ${ENV_VAR}} or as {@code file:/path} (the
 * Vault-agent sidecar pattern); the loader resolves the reference once at load time.
 */
public final class Secret {
  private static final String MASK = "******";
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String clearValue) {
    if (clearValue == null) {
      throw new IllegalArgumentException("secret value must not be null");
    }
    return new Secret(clearValue);
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  /** Constant-time comparison, so a caller checking a presented secret leaks no timing. */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret s
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), s.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return 0; // a hash of the value would leak information about it
  }

  @Override
  public String toString() {
    return MASK;
  }
}
