package dev.portcullis.auth.apikey;

import dev.portcullis.auth.AuthVerdict;
import java.net.InetAddress;
import java.util.concurrent.CompletionStage;

/**
 * Checks a presented API key. Called on an event loop: a key in the validation cache answers with
 * an already-completed stage; otherwise the store is read off the loop. The stage never completes
 * exceptionally (a store failure is {@link AuthVerdict.Unavailable}).
 */
public interface ApiKeyVerifier {
  /**
   * @param presentedKey the key exactly as the client sent it (a secret: never logged)
   * @param client the client address, checked against the key's allowed CIDRs
   */
  CompletionStage<AuthVerdict> verify(String presentedKey, InetAddress client);
}
