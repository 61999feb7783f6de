package dev.portcullis.auth.apikey;

import static dev.portcullis.auth.apikey.ApiKeyServiceTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.testing.KeyStores;
import dev.portcullis.core.config.ApiKeysConfig;
import dev.portcullis.core.config.Secret;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas sharing one store and the real Redis at 127.0.0.1:6379: a key revoked or rotated
 * through one is refused by the other within a second, although the other had it cached as valid.
 */
class RevocationPropagationTest {
  private static final Secret REDIS = Secret.of("redis://127.0.0.1:6379");

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void aRevocationReachesTheOtherReplicaWithinOneSecond(KeyStores.Kind kind) throws Exception {
    InetAddress client = InetAddress.getLoopbackAddress();
    try (KeyStores stores = new KeyStores(kind)) {
      ApiKeysConfig config = ApiKeyServiceTest.config(stores);
      try (ApiKeyService first =
              ApiKeyService.open(config, REDIS, Clock.systemUTC(), stores.schema());
          ApiKeyService second =
              ApiKeyService.open(config, REDIS, Clock.systemUTC(), stores.schema())) {
        IssuedApiKey issued =
            await(first.create(ApiKeyServiceTest.request(ApiKeyType.USER, "kim", List.of())));
        assertThat(await(second.verify(issued.key(), client)))
            .isInstanceOf(AuthVerdict.Authenticated.class);
        assertThat(await(first.revoke(issued.info().id()))).isPresent();
        long revokedAt = System.nanoTime();
        AuthVerdict seen = await(second.verify(issued.key(), client));
        while (seen instanceof AuthVerdict.Authenticated
            && System.nanoTime() - revokedAt < TimeUnit.SECONDS.toNanos(1)) {
          Thread.sleep(10);
          seen = await(second.verify(issued.key(), client));
        }
        assertThat(seen).isInstanceOf(AuthVerdict.Rejected.class);
        assertThat(((AuthVerdict.Rejected) seen).failure()).isEqualTo(AuthFailure.REVOKED);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void withoutRedisARevocationIsLocalOnly(KeyStores.Kind kind) throws Exception {
    InetAddress client = InetAddress.getLoopbackAddress();
    try (KeyStores stores = new KeyStores(kind)) {
      ApiKeysConfig config = ApiKeyServiceTest.config(stores);
      try (ApiKeyService first =
              ApiKeyService.open(config, null, Clock.systemUTC(), stores.schema());
          ApiKeyService second =
              ApiKeyService.open(config, null, Clock.systemUTC(), stores.schema())) {
        IssuedApiKey issued =
            await(first.create(ApiKeyServiceTest.request(ApiKeyType.USER, "lee", List.of())));
        assertThat(await(second.verify(issued.key(), client)))
            .isInstanceOf(AuthVerdict.Authenticated.class);
        await(first.revoke(issued.info().id()));
        assertThat(await(first.verify(issued.key(), client)))
            .isInstanceOf(AuthVerdict.Rejected.class);
        Thread.sleep(300);
        // the other replica trusts its cache until the valid TTL ends
        assertThat(await(second.verify(issued.key(), client)))
            .isInstanceOf(AuthVerdict.Authenticated.class);
      }
    }
  }
}
