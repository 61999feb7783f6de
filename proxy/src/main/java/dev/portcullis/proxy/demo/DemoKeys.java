package dev.portcullis.proxy.demo;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyType;
import dev.portcullis.auth.apikey.IssuedApiKey;
import dev.portcullis.auth.apikey.NewApiKey;
import dev.portcullis.core.config.ApiKeysConfig;
import dev.portcullis.core.config.AuthConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.Secret;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's API keys: an in-memory store under a pepper generated for this process (nothing of the
 * demo outlives it, so nothing needs a pepper file), seeded with a user, a service and an admin key
 * that the banner prints.
 */
public record DemoKeys(IssuedApiKey user, IssuedApiKey service, IssuedApiKey admin) {
  public static final List<String> USER_SCOPES = List.of("jira:read", "confluence:read");
  public static final List<String> SERVICE_SCOPES =
      List.of("jira:read", "jira:write", "confluence:read", "confluence:write");

  /**
   * The configuration with its key store replaced by a fresh in-memory database and, unless one is
   * configured, a random pepper.
   */
  public static GatewayConfig inMemoryStore(GatewayConfig config) {
    ApiKeysConfig keys = config.auth().apiKeys();
    byte[] name = new byte[6];
    SecureRandom random = new SecureRandom();
    random.nextBytes(name);
    ApiKeysConfig.Store store =
        new ApiKeysConfig.Store(
            "jdbc:h2:mem:portcullis-demo-"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(name)
                + ";DB_CLOSE_DELAY=-1",
            "sa",
            null,
            2);
    keys = keys.withStore(store);
    if (keys.pepper() == null) {
      byte[] pepper = new byte[36];
      random.nextBytes(pepper);
      keys = keys.withPepper(Secret.of(Base64.getEncoder().encodeToString(pepper)));
    }
    AuthConfig auth = config.auth();
    return config.withAuth(new AuthConfig(keys, auth.jwt(), auth.access()));
  }

  /** Issues the three demo keys. */
  public static DemoKeys seed(ApiKeyService keys) throws Exception {
    return new DemoKeys(
        issue(keys, ApiKeyType.USER, "demo-user", USER_SCOPES),
        issue(keys, ApiKeyType.SERVICE, "demo-service", SERVICE_SCOPES),
        issue(keys, ApiKeyType.ADMIN, "demo-admin", List.of()));
  }

  private static IssuedApiKey issue(
      ApiKeyService keys, ApiKeyType type, String subject, List<String> scopes) throws Exception {
    return keys.create(new NewApiKey(type, subject, "demo", scopes, null, false, List.of(), null))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "DemoKeys["
        + user.info().id()
        + ", "
        + service.info().id()
        + ", "
        + admin.info().id()
        + "]";
  }
}
