package dev.portcullis.auth.apikey;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Verdicts that need no lookup, built once so refusing them allocates nothing. */
final class Refusals {
  static final CompletionStage<AuthVerdict> MALFORMED =
      CompletableFuture.completedStage(new AuthVerdict.Rejected(AuthFailure.MALFORMED));
  static final CompletionStage<AuthVerdict> CHECKSUM =
      CompletableFuture.completedStage(new AuthVerdict.Rejected(AuthFailure.CHECKSUM));

  private Refusals() {}

  static CompletionStage<AuthVerdict> unavailable(String reason) {
    return CompletableFuture.completedStage(new AuthVerdict.Unavailable(reason));
  }
}
