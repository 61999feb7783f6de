package dev.portcullis.auth.apikey;

/**
 * A key just created or rotated: the only time its clear text exists outside the client.
 *
 * @param key the clear key, to show once and then forget; never logged ({@link #toString()} hides
 *     it)
 */
public record IssuedApiKey(String key, ApiKeyInfo info) {
  @Override
  public String toString() {
    return "IssuedApiKey[id=" + info.id() + "]";
  }
}
