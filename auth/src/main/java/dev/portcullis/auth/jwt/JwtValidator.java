package dev.portcullis.auth.jwt;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.core.config.JwtConfig;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Validates client JWTs against the configured issuers with jjwt. The order keeps the cheap
 * refusals first: size, then a token verified before ({@link VerifiedTokens}: a hash lookup plus
 * the revocation check), then an unverified peek at {@code alg}, {@code kid} and {@code iss} (only
 * to pick the issuer's configuration and key; {@code alg: none} and unknown issuers stop here),
 * then the issuer's full verification (see {@link IssuerVerifier}).
 *
 * <p>Threading: thread-safe. On an event loop, a token whose key is cached (or an HS256 issuer's)
 * and whose revocation status is known locally is answered with an already-completed stage; when a
 * key set must be fetched the stage completes later on the fetcher's thread. The stage never
 * completes exceptionally. No buffers are involved: the token arrives as a {@code String}.
 */
public final class JwtValidator implements JwtVerifier, AutoCloseable {
  private static final Map<AuthFailure, CompletionStage<AuthVerdict>> PLAIN_REJECTIONS =
      new EnumMap<>(AuthFailure.class);

  static {
    for (AuthFailure failure : AuthFailure.values()) {
      PLAIN_REJECTIONS.put(
          failure, CompletableFuture.completedStage(new AuthVerdict.Rejected(failure)));
    }
  }

  private final Map<String, IssuerVerifier> byIssuer;
  private final int maxTokenBytes;
  private final ExecutorService fetchers;
  private final VerifiedTokens verified;
  private final TokenRevocations revocations;

  private JwtValidator(
      Map<String, IssuerVerifier> byIssuer,
      int maxTokenBytes,
      ExecutorService fetchers,
      VerifiedTokens verified,
      TokenRevocations revocations) {
    this.byIssuer = byIssuer;
    this.maxTokenBytes = maxTokenBytes;
    this.fetchers = fetchers;
    this.verified = verified;
    this.revocations = revocations;
  }

  /**
   * A validator for the configured issuers; starts fetching every issuer's key set in the
   * background, so the first tokens usually find their keys cached.
   *
   * @param revocations consulted for every token with a {@code jti}
   * @param clock the time tokens are checked against
   */
  public static JwtValidator create(JwtConfig config, TokenRevocations revocations, Clock clock) {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService fetchers =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "jwks-fetch-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    HttpClient http =
        HttpClient.newBuilder()
            .executor(fetchers)
            .connectTimeout(config.jwks().fetchTimeout())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    VerifiedTokens verified = new VerifiedTokens(clock);
    Map<String, IssuerVerifier> byIssuer = new HashMap<>();
    for (JwtConfig.Issuer issuer : config.issuers()) {
      JwksCache jwks =
          issuer.jwksUrl() == null
              ? null
              : new JwksCache(
                  issuer.jwksUrl(),
                  http,
                  config.jwks().fetchTimeout(),
                  config.jwks().refreshMinInterval(),
                  config.jwks().cacheTtl(),
                  clock);
      byIssuer.put(issuer.issuer(), new IssuerVerifier(issuer, jwks, clock, revocations, verified));
    }
    JwtValidator validator =
        new JwtValidator(
            Map.copyOf(byIssuer), config.maxTokenBytes(), fetchers, verified, revocations);
    for (IssuerVerifier issuer : validator.byIssuer.values()) {
      if (issuer.jwks() != null) {
        issuer.jwks().fetch();
      }
    }
    return validator;
  }

  @Override
  public CompletionStage<AuthVerdict> verify(String compactJwt) {
    return verify(compactJwt, true);
  }

  /**
   * The path of a token's first presentation, skipping the lookup among tokens verified before (for
   * the benchmark of full verification).
   */
  CompletionStage<AuthVerdict> verifyFully(String compactJwt) {
    return verify(compactJwt, false);
  }

  private CompletionStage<AuthVerdict> verify(String compactJwt, boolean seenBefore) {
    try {
      if (compactJwt == null || compactJwt.isEmpty()) {
        return rejected(AuthFailure.MISSING);
      }
      // A JWT is ASCII, so its length in chars is its size in bytes.
      if (compactJwt.length() > maxTokenBytes) {
        return rejected(AuthFailure.TOO_LARGE);
      }
      VerifiedTokens.Entry known = seenBefore ? verified.find(compactJwt) : null;
      if (known != null) {
        return IssuerVerifier.revocationChecked(known, revocations);
      }
      TokenPeek peek = TokenPeek.of(compactJwt);
      if (peek == null) {
        return rejected(AuthFailure.MALFORMED);
      }
      if (peek.algorithm() == null || peek.algorithm().equalsIgnoreCase("none")) {
        return rejected(AuthFailure.BAD_ALGORITHM);
      }
      IssuerVerifier issuer = peek.issuer() == null ? null : byIssuer.get(peek.issuer());
      if (issuer == null) {
        return rejected(AuthFailure.UNKNOWN_ISSUER);
      }
      return issuer
          .verify(compactJwt, peek)
          .exceptionally(
              e ->
                  new AuthVerdict.Unavailable("JWT check failed: " + e.getClass().getSimpleName()));
    } catch (RuntimeException e) {
      return CompletableFuture.completedStage(
          new AuthVerdict.Unavailable("JWT check failed: " + e.getClass().getSimpleName()));
    }
  }

  /** A shared completed rejection without credential id or subject. */
  static CompletionStage<AuthVerdict> rejected(AuthFailure failure) {
    return PLAIN_REJECTIONS.get(failure);
  }

  @Override
  public void close() {
    fetchers.shutdownNow();
    try {
      fetchers.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
