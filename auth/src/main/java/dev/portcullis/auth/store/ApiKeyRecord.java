package dev.portcullis.auth.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One row of the key table. Holds hashes, never a clear key; {@link #toString()} leaves the hashes
 * out anyway, so a record can be logged.
 *
 * @param id the non-secret key id embedded in the key (a generated one for legacy keys)
 * @param hash HMAC-SHA-256 of the whole key under the pepper, hex
 * @param type {@code user}, {@code service}, {@code admin} or {@code legacy}
 * @param scopes granted scopes, in order
 * @param expires null when the key never expires
 * @param revokedAt null while the key is not revoked
 * @param allowedCidrs CIDR texts the key may be used from; empty for anywhere
 * @param rateLimit a rate such as {@code 500/hour} overriding the type's default, or null
 * @param lastUsed when the key last authenticated, to within the flush interval; null if never
 * @param previousHash after a rotation, the old key's hash, or null
 * @param previousValidUntil until when the old key is still accepted, or null
 */
public record ApiKeyRecord(
    String id,
    String hash,
    String subject,
    String tenant,
    String type,
    List<String> scopes,
    Instant created,
    Instant expires,
    Instant revokedAt,
    List<String> allowedCidrs,
    String rateLimit,
    Instant lastUsed,
    String previousHash,
    Instant previousValidUntil) {

  public ApiKeyRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(created, "created");
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
    allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
  }

  @Override
  public String toString() {
    return "ApiKeyRecord[id=" + id + ", type=" + type + ", subject=" + subject + "]";
  }
}
