package dev.portcullis.auth.apikey;

import java.util.Arrays;

/**
 * A key's peppered hash as a cache key: equal hashes are equal keys. Holding the hash instead of
 * the key keeps clear keys out of the cache (a heap dump shows none).
 */
final class Digest {
  final byte[] bytes;
  private final int hash;

  Digest(byte[] bytes) {
    this.bytes = bytes;
    // The bytes are already uniformly random: the first four make a good hash code.
    this.hash =
        (bytes[0] << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
  }

  @Override
  public boolean equals(Object other) {
    // Equality on a hash is not secret-dependent timing: the hash is not the key.
    return other instanceof Digest d && Arrays.equals(bytes, d.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
