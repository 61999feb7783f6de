package dev.portcullis.auth.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.token.IdentityTokenIssuer;
import dev.portcullis.core.identity.Principal;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdentityTokensTest {
  private final AtomicLong clock = new AtomicLong(5_000_000_000L);
  private final List<Runnable> signerTasks = new ArrayList<>();
  private final List<String> signedFor = new ArrayList<>();

  private final IdentityTokenIssuer issuer =
      new IdentityTokenIssuer() {
        @Override
        public String issue(Principal principal, String audience) {
          signedFor.add(principal.subject());
          return "token-" + principal.subject();
        }

        @Override
        public String jwksJson() {
          return "{\"keys\":[]}";
        }
      };

  @Test
  void principalsSignedTogetherComeDueForRenewalSpreadOverTheWindow() {
    IdentityTokens tokens = tokens();
    List<Principal> principals = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Principal p = new Principal("user-" + i, null, "jwt", Set.of(), "jti-" + i, null, null, null);
      principals.add(p);
      tokens.sign(p, "jira-api");
    }
    signerTasks.forEach(Runnable::run);
    signerTasks.clear();

    // The window is 20 to 28 s of the 32 s reuse. Before it nobody is due; in its middle about
    // half; after it everyone (each asks once, however often it is seen).
    assertThat(dueAfter(tokens, principals, 19)).isZero();
    int midway = dueAfter(tokens, principals, 5);
    assertThat(midway).isBetween(50, 150);
    assertThat(midway + dueAfter(tokens, principals, 5)).isEqualTo(200);
    assertThat(dueAfter(tokens, principals, 2)).isZero();
  }

  @Test
  void aWaitingRequestsSignatureComesBeforeRenewalsThatHaveTime() {
    IdentityTokens tokens = tokens();
    Principal renewed = new Principal("renewed", null, "jwt", Set.of(), "j1", null, null, null);
    Principal soonStale = new Principal("soon", null, "jwt", Set.of(), "j2", null, null, null);
    tokens.sign(renewed, "jira-api");
    signerTasks.remove(0).run();
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    tokens.sign(soonStale, "jira-api");
    signerTasks.remove(0).run();

    // At 29 s both are due (renewed's token goes stale a second before soonStale's), asked for in
    // the other order; then a new principal's first request arrives and waits.
    clock.addAndGet(Duration.ofSeconds(28).toNanos());
    assertThat((Object) tokens.headerValue(soonStale, "jira-api")).isNotNull();
    assertThat((Object) tokens.headerValue(renewed, "jira-api")).isNotNull();
    Principal newcomer = new Principal("new", null, "jwt", Set.of(), "j3", null, null, null);
    CompletableFuture<AsciiString> waiting = tokens.sign(newcomer, "jira-api");
    assertThat(signerTasks).hasSize(3);

    signerTasks.remove(0).run();
    assertThat(waiting).isCompletedWithValue(AsciiString.of("Bearer token-new"));
    signerTasks.forEach(Runnable::run);
    assertThat(signedFor).containsExactly("renewed", "soon", "new", "renewed", "soon");
  }

  /** Tokens reused for 32 s, so due for renewal between 20 and 28 s; signed when a test says. */
  private IdentityTokens tokens() {
    return new IdentityTokens(
        new Authentication.IdentityPropagation(
            issuer, "Authorization", u -> u, Duration.ofSeconds(32), signerTasks::add),
        clock::get);
  }

  /** Advances the clock, sends one request per principal, and counts the renewals asked for. */
  private int dueAfter(IdentityTokens tokens, List<Principal> principals, int seconds) {
    clock.addAndGet(Duration.ofSeconds(seconds).toNanos());
    for (Principal p : principals) {
      assertThat((Object) tokens.headerValue(p, "jira-api")).isNotNull();
    }
    int due = signerTasks.size();
    signerTasks.clear();
    return due;
  }
}
