package dev.portcullis.auth.apikey;

import dev.portcullis.core.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys are stored only as HMAC-SHA-256 under a server-side pepper, so a stolen key table is useless
 * without the pepper, which lives outside the database (a secret file or the environment).
 * Thread-safe: a {@link Mac} per thread.
 */
public final class ApiKeyHasher {
  private static final String ALGORITHM = "HmacSHA256";
  private final ThreadLocal<Mac> macs;

  public ApiKeyHasher(Secret pepper) {
    if (pepper.reveal().length() < 32) {
      throw new IllegalArgumentException(
          "api key pepper: too short (expected: at least 32 characters of random text)");
    }
    SecretKeySpec key =
        new SecretKeySpec(pepper.reveal().getBytes(StandardCharsets.UTF_8), ALGORITHM);
    this.macs =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(key);
                return mac;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA-256 is not available", e);
              }
            });
  }

  public byte[] hash(String clearTextKey) {
    return macs.get().doFinal(clearTextKey.getBytes(StandardCharsets.UTF_8));
  }

  /** Constant-time: the time taken does not depend on where the hashes differ. */
  public boolean matches(String presentedKey, byte[] storedHash) {
    return MessageDigest.isEqual(hash(presentedKey), storedHash);
  }
}
