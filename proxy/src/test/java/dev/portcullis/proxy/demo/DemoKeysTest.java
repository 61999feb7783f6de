package dev.portcullis.proxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.proxy.testing.TestGateways;
import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DemoKeysTest {
  private static Principal principal(ApiKeyService service, String key) throws Exception {
    AuthVerdict verdict =
        service
            .verify(key, InetAddress.getLoopbackAddress())
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    assertThat(verdict).isInstanceOf(AuthVerdict.Authenticated.class);
    return ((AuthVerdict.Authenticated) verdict).principal();
  }

  @Test
  void theDemoSeedsAUserAServiceAndAnAdminKeyInAPrivateInMemoryStore() throws Exception {
    GatewayConfig config = TestGateways.config(URI.create("http://127.0.0.1:9"));
    assertThat(config.auth().apiKeys().pepper()).isNull();
    GatewayConfig demo = DemoKeys.inMemoryStore(config);
    assertThat(demo.auth().apiKeys().store().url()).startsWith("jdbc:h2:mem:portcullis-demo-");
    assertThat(demo.auth().apiKeys().pepper()).isNotNull();
    assertThat(DemoKeys.inMemoryStore(config).auth().apiKeys().store().url())
        .isNotEqualTo(demo.auth().apiKeys().store().url());
    try (ApiKeyService service = ApiKeyService.open(demo)) {
      DemoKeys keys = DemoKeys.seed(service);
      assertThat(keys.user().key()).startsWith("atl_user_");
      assertThat(keys.service().key()).startsWith("atl_service_");
      assertThat(keys.admin().key()).startsWith("atl_admin_");
      Principal user = principal(service, keys.user().key());
      assertThat(user.scopes()).containsExactlyInAnyOrder("jira:read", "confluence:read");
      assertThat(user.keyType()).isEqualTo("user");
      Principal svc = principal(service, keys.service().key());
      assertThat(svc.scopes())
          .containsExactlyInAnyOrder(
              "jira:read", "jira:write", "confluence:read", "confluence:write");
      assertThat(principal(service, keys.admin().key()).keyType()).isEqualTo("admin");
      assertThat(keys.toString()).doesNotContain(keys.user().key());
    }
  }
}
