package dev.portcullis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.testing.KeyStores;
import dev.portcullis.core.config.ConfigLoader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code portcullis keys ...} in-process against a real store: H2 and PostgreSQL. */
class KeysCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FIELD = Pattern.compile("(?m)^(\\w+):[ \\t]+(\\S+)");
  @TempDir Path dir;

  private static Map<String, String> fields(String output) {
    Map<String, String> out = new HashMap<>();
    Matcher m = FIELD.matcher(output);
    while (m.find()) {
      out.putIfAbsent(m.group(1), m.group(2));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(KeyStores.Kind.class)
  void keysAreCreatedListedShownRotatedAndRevokedFromTheCommandLine(KeyStores.Kind kind)
      throws Exception {
    Path audit = dir.resolve("audit.json");
    List<String> clearKeys = new ArrayList<>();
    try (KeyStores stores = new KeyStores(kind)) {
      Map<String, String> env = new HashMap<>();
      env.put("PORTCULLIS_AUTH_API_KEYS_STORE_URL", stores.configuredUrl());
      env.put("PORTCULLIS_AUTH_API_KEYS_STORE_USERNAME", stores.store().username());
      env.put("PORTCULLIS_AUTH_API_KEYS_PEPPER", "${KEY_PEPPER}");
      env.put("KEY_PEPPER", "cli-test-pepper-" + "q".repeat(40));
      env.put("PORTCULLIS_AUDIT_LOG_DESTINATION", "file");
      env.put("PORTCULLIS_AUDIT_LOG_PATH", audit.toString());

      CliRunner admin = new CliRunner();
      assertThat(admin.run(env, "keys", "create", "--type", "admin", "--subject", "root"))
          .as(admin.err())
          .isZero();
      Map<String, String> adminKey = fields(admin.out());
      assertThat(adminKey.get("key")).startsWith("atl_admin_" + adminKey.get("id"));
      assertThat(adminKey.get("status")).as(admin.out()).isEqualTo("active");
      assertThat(admin.out()).contains("shown once");
      clearKeys.add(adminKey.get("key"));

      CliRunner create = new CliRunner();
      assertThat(
              create.run(
                  env,
                  "keys",
                  "create",
                  "--type=user",
                  "--subject=alice",
                  "--tenant=acme",
                  "--scope=jira:read,confluence:read",
                  "--allowed-ip=10.0.0.0/8",
                  "--rate-limit=50/minute",
                  "--expires=30d"))
          .as(create.err())
          .isZero();
      Map<String, String> user = fields(create.out());
      String id = user.get("id");
      clearKeys.add(user.get("key"));
      assertThat(user.get("type")).isEqualTo("user");
      assertThat(user.get("tenant")).isEqualTo("acme");
      assertThat(create.out()).contains("jira:read confluence:read");
      assertThat(user.get("allowed_ips")).isEqualTo("10.0.0.0/8");
      assertThat(user.get("rate_limit")).isEqualTo("50/minute");

      CliRunner list = new CliRunner();
      assertThat(list.run(env, "keys", "list")).isZero();
      assertThat(list.out()).contains(id).contains(adminKey.get("id"));
      CliRunner filtered = new CliRunner();
      assertThat(filtered.run(env, "keys", "list", "--subject", "alice", "--tenant", "acme"))
          .isZero();
      assertThat(filtered.out()).contains(id).doesNotContain(adminKey.get("id"));
      for (String clear : clearKeys) {
        assertThat(list.out()).doesNotContain(clear.substring(clear.length() - 40));
      }

      CliRunner show = new CliRunner();
      assertThat(show.run(env, "keys", "show", id)).isZero();
      assertThat(fields(show.out()).get("subject")).isEqualTo("alice");
      assertThat(show.out()).doesNotContain("key:");

      CliRunner rotate = new CliRunner();
      assertThat(rotate.run(env, "keys", "rotate", id)).as(rotate.err()).isZero();
      String rotated = fields(rotate.out()).get("key");
      clearKeys.add(rotated);
      assertThat(rotated).startsWith("atl_user_" + id).isNotEqualTo(user.get("key"));

      CliRunner revoke = new CliRunner();
      assertThat(revoke.run(env, "keys", "revoke", id)).isZero();
      assertThat(fields(revoke.out()).get("status")).isEqualTo("revoked");

      // the store really holds the change: a service on the same configuration refuses the key
      try (ApiKeyService service = ApiKeyService.open(new ConfigLoader(env).load(null))) {
        AuthVerdict verdict =
            service
                .verify(rotated, InetAddress.getByName("10.1.1.1"))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        assertThat(((AuthVerdict.Rejected) verdict).failure()).isEqualTo(AuthFailure.REVOKED);
        AuthVerdict adminOk =
            service
                .verify(adminKey.get("key"), InetAddress.getLoopbackAddress())
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        assertThat(adminOk).isInstanceOf(AuthVerdict.Authenticated.class);
      }

      // failures: one line, non-zero
      CliRunner badType = new CliRunner();
      assertThat(badType.run(env, "keys", "create", "--type", "robot", "--subject", "x"))
          .isEqualTo(1);
      assertThat(badType.err().trim())
          .isEqualTo("portcullis: type: 'robot' (expected: user, service or admin)");
      CliRunner badIp = new CliRunner();
      assertThat(
              badIp.run(
                  env,
                  "keys",
                  "create",
                  "--type",
                  "user",
                  "--subject",
                  "x",
                  "--allowed-ip",
                  "nope"))
          .isEqualTo(1);
      assertThat(badIp.err().trim())
          .startsWith("portcullis: allowed_ips: 'nope'")
          .doesNotContain("\n");
      CliRunner unknown = new CliRunner();
      assertThat(unknown.run(env, "keys", "show", "nosuchkey")).isEqualTo(1);
      assertThat(unknown.err().trim()).isEqualTo("portcullis: no API key nosuchkey");
      for (String task : List.of("show", "revoke", "rotate")) {
        // an id starting with '-' (issued before ids stopped starting with one) is an id
        CliRunner dashed = new CliRunner();
        assertThat(dashed.run(env, "keys", task, "-Xnosuchkey")).as(dashed.err()).isEqualTo(1);
        assertThat(dashed.err()).as(task).contains("API key -Xnosuchkey");
        CliRunner afterDelimiter = new CliRunner();
        assertThat(afterDelimiter.run(env, "keys", task, "--", "-hVnosuchkey"))
            .as(afterDelimiter.err())
            .isEqualTo(1);
        assertThat(afterDelimiter.err()).as(task).contains("API key -hVnosuchkey");
      }
      CliRunner rotateRevoked = new CliRunner();
      assertThat(rotateRevoked.run(env, "keys", "rotate", id)).isEqualTo(1);
      assertThat(rotateRevoked.err()).contains("no active API key " + id);
      CliRunner usage = new CliRunner();
      assertThat(usage.run(env, "keys", "create", "--type", "user")).isEqualTo(2);
      assertThat(usage.err()).contains("--subject");
      Map<String, String> noPepper = new HashMap<>(env);
      noPepper.remove("PORTCULLIS_AUTH_API_KEYS_PEPPER");
      CliRunner missing = new CliRunner();
      assertThat(missing.run(noPepper, "keys", "list")).isEqualTo(1);
      assertThat(missing.err().trim())
          .startsWith("portcullis: auth.api_keys.pepper: missing (expected:");
    }

    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(audit)) {
      for (String clear : clearKeys) {
        assertThat(line).doesNotContain(clear.substring(clear.length() - 49));
      }
      events.add(JSON.readTree(line));
    }
    assertThat(events)
        .extracting(e -> e.get("event").asText())
        .containsExactly(
            "api_key.created", "api_key.created", "api_key.rotated", "api_key.revoked");
    JsonNode revoked = events.get(3);
    assertThat(revoked.get("subject").asText()).isEqualTo("alice");
    assertThat(revoked.get("tenant").asText()).isEqualTo("acme");
    assertThat(revoked.get("actor").asText()).startsWith("cli:");
    assertThat(revoked.get("key_id").asText()).isNotBlank();
  }
}
