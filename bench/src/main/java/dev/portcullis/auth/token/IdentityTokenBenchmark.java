package dev.portcullis.auth.token;

import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.identity.Principal;
import java.time.Clock;
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
 * The identity token per proxied request: {@code issue} for a principal seen within the last half
 * token lifetime (the reused token, the common case for a busy client), and {@code sign}, a fresh
 * RS256 signature (the first request of a principal, or every 30 s).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class IdentityTokenBenchmark {
  private RsaIdentityTokenIssuer issuer;
  private Principal principal;

  @Setup
  public void setUp() {
    issuer = RsaIdentityTokenIssuer.create(JwtConfig.IdentityToken.DEFAULTS, Clock.systemUTC());
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
  }

  @Benchmark
  public String issueReused() {
    return issuer.issue(principal, "jira-api");
  }

  @Benchmark
  public String signFresh() {
    return issuer.sign(principal, "jira-api");
  }
}
