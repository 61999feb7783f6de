package dev.portcullis.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.config.Secret;
import dev.portcullis.core.testing.PrivateRedis;
import io.jsonwebtoken.Jwts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Revocations shared through the real Redis on 127.0.0.1:6379, as two replicas would see them. */
class RedisTokenRevocationsTest {
  private static final String REDIS = "redis://127.0.0.1:6379";
  private static final String SECRET = "0123456789abcdef0123456789abcdef-hs256";
  private static RedisClient direct;
  private static StatefulRedisConnection<String, String> connection;

  // Real time: Redis expires keys by its own clock.
  private final MutableClock clock = new MutableClock(Instant.now());

  @BeforeAll
  static void connect() {
    direct = RedisClient.create(REDIS);
    connection = direct.connect();
  }

  @AfterAll
  static void disconnect() {
    connection.close();
    direct.shutdown();
  }

  private TokenRevocations replica() {
    return TokenRevocations.redis(Secret.of(REDIS), Duration.ofSeconds(2), clock);
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRevocationOnOneReplicaIsSeenByAnotherWithTheTokensRemainingLifeAsTtl() throws Exception {
    String jti = "test-" + UUID.randomUUID();
    try (TokenRevocations first = replica();
        TokenRevocations second = replica()) {
      assertThat(join(second.isRevoked(jti))).isFalse();

      join(first.revoke(jti, clock.instant().plusSeconds(120)));

      assertThat(join(second.isRevoked(jti))).isTrue();
      long ttl = connection.sync().pttl("portcullis:jwt:revoked:" + jti);
      assertThat(ttl).isBetween(100_000L, 120_000L);
      assertThat(join(second.isRevoked("test-" + UUID.randomUUID()))).isFalse();
    } finally {
      connection.sync().del("portcullis:jwt:revoked:" + jti);
    }
  }

  @Test
  void anExpiredTokenNeedsNoEntry() throws Exception {
    String jti = "test-" + UUID.randomUUID();
    try (TokenRevocations revocations = replica()) {
      join(revocations.revoke(jti, clock.instant().minusSeconds(1)));
      assertThat(connection.sync().exists("portcullis:jwt:revoked:" + jti)).isZero();
      assertThat(join(revocations.isRevoked(jti))).isFalse();
    }
  }

  @Test
  void theValidatorRefusesATokenRevokedInRedis() throws Exception {
    String jti = "test-" + UUID.randomUUID();
    Instant exp = clock.instant().plusSeconds(300);
    JwtConfig config =
        new JwtConfig(
            List.of(
                new JwtConfig.Issuer(
                    "idp",
                    null,
                    Secret.of(SECRET),
                    "portcullis",
                    List.of("HS256"),
                    Duration.ofMinutes(5),
                    "tenant_id")),
            8192,
            JwtConfig.JwksSettings.DEFAULTS,
            Secret.of(REDIS),
            JwtConfig.IdentityToken.DEFAULTS);
    String token =
        Jwts.builder()
            .issuer("idp")
            .audience()
            .add("portcullis")
            .and()
            .subject("bob")
            .id(jti)
            .expiration(Date.from(exp))
            .signWith(
                new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"),
                Jwts.SIG.HS256)
            .compact();
    try (TokenRevocations other = replica();
        TokenRevocations mine = replica();
        JwtValidator validator = JwtValidator.create(config, mine, clock)) {
      assertThat(join(validator.verify(token))).isInstanceOf(AuthVerdict.Authenticated.class);
      join(other.revoke(jti, exp));
      assertThat(join(validator.verify(token)))
          .isEqualTo(new AuthVerdict.Rejected(AuthFailure.REVOKED, jti, "bob"));
    } finally {
      connection.sync().del("portcullis:jwt:revoked:" + jti);
    }
  }

  @Test
  void redisDownFailsTheCheckInsteadOfAcceptingOrBlocking() throws Exception {
    try (PrivateRedis redis = new PrivateRedis();
        TokenRevocations revocations =
            TokenRevocations.redis(Secret.of(redis.uri()), Duration.ofMillis(500), clock)) {
      assertThat(join(revocations.isRevoked("x"))).isFalse();
      redis.stop();
      assertThatThrownBy(() -> join(revocations.isRevoked("y")))
          .hasCauseInstanceOf(Exception.class);
      // What this replica revoked itself is still known while Redis is down.
      revocations.revoke("mine", clock.instant().plusSeconds(60));
      assertThat(join(revocations.isRevoked("mine"))).isTrue();
    }
  }
}
