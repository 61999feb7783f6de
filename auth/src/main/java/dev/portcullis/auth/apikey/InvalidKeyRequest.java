package dev.portcullis.auth.apikey;

/**
 * A key-management request with a bad field. The message reads {@code field: value (expected:
 * ...)}; the admin API answers it as a 400 naming {@link #field()}, the CLI prints it.
 */
public final class InvalidKeyRequest extends IllegalArgumentException {
  private final String field;

  public InvalidKeyRequest(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
