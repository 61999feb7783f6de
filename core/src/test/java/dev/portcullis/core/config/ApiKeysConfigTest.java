package dev.portcullis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("gw.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(env).load(file);
  }

  @Test
  void defaultsAreAnH2FileStoreWithoutAPepper() throws Exception {
    ApiKeysConfig keys = load("{}\n", Map.of()).auth().apiKeys();
    assertThat(keys).isEqualTo(ApiKeysConfig.DEFAULTS);
    assertThat(keys.store().url()).isEqualTo("jdbc:h2:file:./data/portcullis");
    assertThat(keys.pepper()).isNull();
    assertThat(keys.validTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(keys.invalidTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(keys.rotationGrace()).isEqualTo(Duration.ofHours(24));
    assertThat(keys.expiry().forType("user")).isEqualTo(Duration.ofDays(365));
    assertThat(keys.expiry().forType("service")).isNull();
    assertThat(keys.expiry().forType("admin")).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void readsEveryKeyWithSecretsFromFilesAndEnvironment() throws Exception {
    Path pepper = dir.resolve("pepper");
    Files.writeString(pepper, "p".repeat(40) + "\n");
    String yaml =
        "auth:\n"
            + "  api_keys:\n"
            + "    store:\n"
            + "      url: jdbc:postgresql://127.0.0.1:5432/test\n"
            + "      username: postgres\n"
            + "      password: ${DB_PASSWORD}\n"
            + "      pool_size: 8\n"
            + "    pepper: file:"
            + pepper
            + "\n"
            + "    cache: {valid_ttl: 2m, invalid_ttl: 30s, max_entries: 500}\n"
            + "    rotation_grace: 1h\n"
            + "    expiry: {user: 30d, service: 400d, admin: never}\n"
            + "    last_used_flush: 1s\n"
            + "    redis_uri: redis://127.0.0.1:6379\n";
    ApiKeysConfig keys = load(yaml, Map.of("DB_PASSWORD", "hunter2")).auth().apiKeys();
    assertThat(keys.store().isPostgres()).isTrue();
    assertThat(keys.store().password().reveal()).isEqualTo("hunter2");
    assertThat(keys.store().poolSize()).isEqualTo(8);
    assertThat(keys.pepper().reveal()).isEqualTo("p".repeat(40));
    assertThat(keys.validTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(keys.invalidTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(keys.cacheMaxEntries()).isEqualTo(500);
    assertThat(keys.rotationGrace()).isEqualTo(Duration.ofHours(1));
    assertThat(keys.expiry())
        .isEqualTo(new ApiKeysConfig.Expiry(Duration.ofDays(30), Duration.ofDays(400), null));
    assertThat(keys.lastUsedFlush()).isEqualTo(Duration.ofSeconds(1));
    assertThat(keys.redisUri().reveal()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(keys.toString()).doesNotContain("hunter2").doesNotContain("pppp");
  }

  @Test
  void environmentOverridesReachTheNestedKeys() throws Exception {
    ApiKeysConfig keys =
        load(
                "{}\n",
                Map.of(
                    "PORTCULLIS_AUTH_API_KEYS_STORE_URL", "jdbc:h2:mem:x",
                    "PORTCULLIS_AUTH_API_KEYS_ROTATION_GRACE", "2h"))
            .auth()
            .apiKeys();
    assertThat(keys.store().url()).isEqualTo("jdbc:h2:mem:x");
    assertThat(keys.rotationGrace()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void badValuesAreReportedWithTheirKeysAndNoSecret() {
    String yaml =
        "auth:\n"
            + "  api_keys:\n"
            + "    store: {url: 'mysql://x', pool_size: 0}\n"
            + "    pepper: short-secret-value\n"
            + "    cache: {valid_ttl: 5}\n"
            + "    expiry: {user: forever}\n"
            + "    redis_uri: http://x\n";
    assertThatThrownBy(() -> load(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e -> {
              String text = String.join("\n", ((ConfigException) e).problems());
              assertThat(text)
                  .contains("auth.api_keys.store.url: 'mysql://x' (expected: jdbc:h2:")
                  .contains("auth.api_keys.store.pool_size: 0 (expected: 1..64)")
                  .contains("auth.api_keys.cache.valid_ttl: '5' (expected: a duration")
                  .contains("auth.api_keys.expiry.user: 'forever' (expected: a duration")
                  .contains("auth.api_keys.redis_uri: not a Redis URI")
                  .doesNotContain("short-secret-value");
            });
  }

  @Test
  void aShortPepperIsRefusedWithoutEchoingIt() {
    assertThatThrownBy(() -> ApiKeysConfig.DEFAULTS.withPepper(Secret.of("tiny-pepper")))
        .hasMessage(
            "auth.api_keys.pepper: too short (expected: at least 32 characters of random text)");
  }
}
