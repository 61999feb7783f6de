package dev.portcullis.auth.jwt;

import dev.portcullis.auth.AuthVerdict;
import java.util.concurrent.CompletionStage;

/**
 * Validates a bearer JWT against the configured issuers. Called on an event loop: a token whose
 * signing key is cached answers with an already-completed stage; fetching a JWKS happens off the
 * loop. The stage never completes exceptionally.
 */
public interface JwtVerifier {
  /**
   * @param compactJwt the token as sent (a secret: never logged)
   */
  CompletionStage<AuthVerdict> verify(String compactJwt);
}
