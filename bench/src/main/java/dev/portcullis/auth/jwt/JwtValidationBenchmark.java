package dev.portcullis.auth.jwt;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.config.Secret;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Validating a client JWT on the hot path, key cached: RS256 against a JWKS fetched once from a
 * loopback HTTP server during setup, and HS256 with a shared secret, each as on a token's first
 * presentation (full verification), and a token presented again (answered from the verified-token
 * cache). Each token carries a {@code jti}, so the in-memory revocation lookup is included. The
 * verdict stage is already complete.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class JwtValidationBenchmark {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-bench";

  private HttpServer jwks;
  private JwtValidator validator;
  private String rs256;
  private String hs256;

  @Setup
  public void setUp() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    byte[] body =
        ("{\"keys\":["
                + Jwks.json(
                    Jwks.builder()
                        .key((java.security.interfaces.RSAPublicKey) pair.getPublic())
                        .id("k1")
                        .build())
                + "]}")
            .getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwks.createContext(
        "/jwks.json",
        exchange -> {
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    jwks.start();
    URI url = URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json");
    JwtConfig config =
        new JwtConfig(
            List.of(
                new JwtConfig.Issuer(
                    "rs",
                    url,
                    null,
                    "portcullis",
                    List.of("RS256"),
                    Duration.ofMinutes(5),
                    "tenant_id"),
                new JwtConfig.Issuer(
                    "hs",
                    null,
                    Secret.of(SECRET),
                    "portcullis",
                    List.of("HS256"),
                    Duration.ofMinutes(5),
                    "tenant_id")),
            JwtConfig.DEFAULT_MAX_TOKEN_BYTES,
            JwtConfig.JwksSettings.DEFAULTS,
            null,
            JwtConfig.IdentityToken.DEFAULTS);
    Clock clock = Clock.systemUTC();
    validator = JwtValidator.create(config, TokenRevocations.inMemory(clock), clock);
    Instant now = clock.instant();
    rs256 =
        Jwts.builder()
            .header()
            .keyId("k1")
            .and()
            .issuer("rs")
            .audience()
            .add("portcullis")
            .and()
            .subject("alice")
            .id("jti-rs")
            .claim("scope", "jira:read confluence:read")
            .claim("tenant_id", "acme")
            .issuedAt(Date.from(now))
            .expiration(Date.from(now.plusSeconds(3600)))
            .signWith(pair.getPrivate(), Jwts.SIG.RS256)
            .compact();
    hs256 =
        Jwts.builder()
            .issuer("hs")
            .audience()
            .add("portcullis")
            .and()
            .subject("alice")
            .id("jti-hs")
            .claim("scope", "jira:read confluence:read")
            .claim("tenant_id", "acme")
            .issuedAt(Date.from(now))
            .expiration(Date.from(now.plusSeconds(3600)))
            .signWith(
                new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"),
                Jwts.SIG.HS256)
            .compact();
    // Warm the key cache: the first RS256 token waits for the JWKS fetch.
    if (!(validator.verify(rs256).toCompletableFuture().get(10, TimeUnit.SECONDS)
            instanceof AuthVerdict.Authenticated)
        || !(validator.verify(hs256).toCompletableFuture().join()
            instanceof AuthVerdict.Authenticated)) {
      throw new IllegalStateException("benchmark tokens do not validate");
    }
  }

  @TearDown
  public void tearDown() {
    validator.close();
    jwks.stop(0);
  }

  /** A token's first presentation: jjwt parse and RSA signature check, key from the cache. */
  @Benchmark
  public AuthVerdict rs256WarmJwks() {
    return validator.verifyFully(rs256).toCompletableFuture().join();
  }

  @Benchmark
  public AuthVerdict hs256() {
    return validator.verifyFully(hs256).toCompletableFuture().join();
  }

  /** The same token again: SHA-256, cache lookup and revocation lookup. */
  @Benchmark
  public AuthVerdict rs256SeenBefore() {
    return validator.verify(rs256).toCompletableFuture().join();
  }
}
