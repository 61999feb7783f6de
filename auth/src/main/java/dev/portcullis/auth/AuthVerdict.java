package dev.portcullis.auth;

import dev.portcullis.core.identity.Principal;
import java.util.Objects;

/**
 * What a credential verifier concluded about one presented credential. A verifier never throws and
 * never completes its stage exceptionally: every outcome, a broken store included, is a verdict.
 */
public sealed interface AuthVerdict
    permits AuthVerdict.Authenticated, AuthVerdict.Rejected, AuthVerdict.Unavailable {

  /**
   * The credential is valid; the principal carries no permissions yet (access control adds them).
   */
  record Authenticated(Principal principal) implements AuthVerdict {
    public Authenticated {
      Objects.requireNonNull(principal, "principal");
    }
  }

  /**
   * The credential is not acceptable. The failure is for audit and metrics only: the client always
   * sees the same 401, so it learns nothing about whether a key exists.
   *
   * @param credentialId the key id or {@code jti} when one could be read (never a secret), or null
   * @param subject the owner when known (a revoked or expired key has one), or null
   */
  record Rejected(AuthFailure failure, String credentialId, String subject) implements AuthVerdict {
    public Rejected {
      Objects.requireNonNull(failure, "failure");
    }

    public Rejected(AuthFailure failure) {
      this(failure, null, null);
    }
  }

  /**
   * The credential could not be checked (store down and the key not cached, JWKS unreachable).
   *
   * @param reason for logs and audit; never contains the credential
   */
  record Unavailable(String reason) implements AuthVerdict {
    public Unavailable {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
