package dev.portcullis.auth.filter;

import dev.portcullis.auth.token.RsaIdentityTokenIssuer;
import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.identity.Principal;
import io.netty.util.AsciiString;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The identity token per proxied request: {@code issueReused}, the header value of a principal
 * whose token is fresh (what a busy client's requests cost on the event loop), and {@code
 * signFresh}, an RS256 signature (a principal's first request, and a renewal every 19-26 s, both on
 * the signing pool).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class IdentityTokenBenchmark {
  private RsaIdentityTokenIssuer issuer;
  private IdentityTokens tokens;
  private Principal principal;

  @Setup
  public void setUp() {
    issuer = RsaIdentityTokenIssuer.create(JwtConfig.IdentityToken.DEFAULTS, Clock.systemUTC());
    // Renewal never comes due within a run: the reused path alone is measured.
    tokens =
        new IdentityTokens(
            new Authentication.IdentityPropagation(
                issuer, "Authorization", upstream -> upstream, Duration.ofHours(1), Runnable::run),
            System::nanoTime);
    principal =
        new Principal(
            "alice",
            "acme",
            "api_key",
            Set.of("jira:read", "jira:write", "confluence:read"),
            "key-1",
            "user",
            null,
            null);
    tokens.sign(principal, "jira-api").join();
  }

  @Benchmark
  public AsciiString issueReused() {
    return tokens.headerValue(principal, "jira-api");
  }

  @Benchmark
  public String signFresh() {
    return issuer.issue(principal, "jira-api");
  }
}
