package dev.portcullis.auth;

import java.util.Locale;

/**
 * Why a credential was refused: the {@code error_code} of audit events and the label of the failure
 * metric. Never shown to the client, which always gets one generic 401.
 */
public enum AuthFailure {
  /** No credential where the route requires one. */
  MISSING,
  /** A credential of a kind the route does not accept, or that is not configured. */
  METHOD_NOT_ACCEPTED,
  /** Not the shape of any accepted credential. */
  MALFORMED,
  /** An API key whose checksum does not match: a typo, refused without a store lookup. */
  CHECKSUM,
  /** An API key id the store does not know. */
  UNKNOWN_KEY,
  /** A known key id with the wrong secret. */
  BAD_SECRET,
  EXPIRED,
  REVOKED,
  /** A valid API key used from an address outside its allowed CIDRs. */
  IP_NOT_ALLOWED,
  /** A JWT whose signature does not verify, or whose key is not found. */
  BAD_SIGNATURE,
  /**
   * A JWT with {@code alg: none}, an algorithm the issuer does not allow, or one unfit for the key.
   */
  BAD_ALGORITHM,
  UNKNOWN_ISSUER,
  BAD_AUDIENCE,
  NOT_YET_VALID,
  /** A JWT without a required claim such as {@code exp}. */
  MISSING_CLAIM,
  /** A JWT over the size limit. */
  TOO_LARGE;

  /** The lower-case code written to audit lines and metric labels. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
