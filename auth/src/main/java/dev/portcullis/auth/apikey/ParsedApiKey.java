package dev.portcullis.auth.apikey;

/**
 * A well-formed API key as presented or generated.
 *
 * @param keyId the non-secret id the store looks the key up by; null for legacy keys
 * @param clearText the whole key; a secret: never logged, never stored (only its hash is)
 */
public record ParsedApiKey(ApiKeyType type, String keyId, String clearText) {
  @Override
  public String toString() {
    return "ParsedApiKey[" + type + ", id=" + keyId + "]";
  }
}
