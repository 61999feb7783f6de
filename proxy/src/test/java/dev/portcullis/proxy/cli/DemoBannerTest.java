package dev.portcullis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyInfo;
import dev.portcullis.auth.apikey.IssuedApiKey;
import dev.portcullis.proxy.demo.DemoKeys;
import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

class DemoBannerTest {

  @Test
  void aWildcardBindIsReachedOnLoopback() {
    assertThat(DemoBanner.url(new InetSocketAddress("0.0.0.0", 8080)))
        .isEqualTo("http://127.0.0.1:8080");
    assertThat(DemoBanner.url(new InetSocketAddress("::", 8080)))
        .isEqualTo("http://127.0.0.1:8080");
  }

  @Test
  void aSpecificBindIsUsedAsIs() {
    assertThat(DemoBanner.url(new InetSocketAddress("10.1.2.3", 18080)))
        .isEqualTo("http://10.1.2.3:18080");
    assertThat(DemoBanner.url(new InetSocketAddress("::1", 18080)))
        .isEqualTo("http://[0:0:0:0:0:0:0:1]:18080");
  }

  @Test
  void theCurlCommandsUseTheBoundPorts() {
    String banner =
        DemoBanner.render(
            new InetSocketAddress("0.0.0.0", 18081),
            new InetSocketAddress("127.0.0.1", 19091),
            URI.create("http://127.0.0.1:40001"),
            URI.create("http://127.0.0.1:40002"));

    assertThat(banner)
        .contains("http://127.0.0.1:18081")
        .contains("http://127.0.0.1:19091")
        .contains("curl -i http://127.0.0.1:18081/rest/api/3/issue/DEMO-1")
        .contains("curl -i -X POST http://127.0.0.1:18081/rest/api/3/issue")
        .contains("http://127.0.0.1:18081/wiki/rest/api/content/65537")
        .contains("curl -s http://127.0.0.1:19091/health/ready")
        .contains("http://127.0.0.1:40001", "http://127.0.0.1:40002")
        .doesNotContain(":8080", ":9090");
  }

  private static IssuedApiKey issued(String key, String type) {
    return new IssuedApiKey(
        key,
        new ApiKeyInfo(
            key.substring(4, 10),
            type,
            "demo-" + type,
            "demo",
            java.util.List.of(),
            java.time.Instant.EPOCH,
            null,
            null,
            java.util.List.of(),
            null,
            null,
            null));
  }

  @Test
  void theDemoKeysArePrintedWithCommandsThatUseThem() {
    DemoKeys keys =
        new DemoKeys(
            issued("atl_user_UUUU", "user"),
            issued("atl_service_SSSS", "service"),
            issued("atl_admin_AAAA", "admin"));
    String banner =
        DemoBanner.render(
            "http",
            new InetSocketAddress("127.0.0.1", 18081),
            new InetSocketAddress("127.0.0.1", 19091),
            URI.create("http://127.0.0.1:40001"),
            URI.create("http://127.0.0.1:40002"),
            keys);
    assertThat(banner)
        .contains("user     atl_user_UUUU   jira:read confluence:read")
        .contains(
            "service  atl_service_SSSS   jira:read jira:write confluence:read confluence:write")
        .contains("admin    atl_admin_AAAA")
        .contains(
            "curl -i -H 'X-API-Key: atl_user_UUUU' http://127.0.0.1:18081/rest/api/3/issue/DEMO-1")
        .contains(
            "curl -i -X POST -H 'Authorization: Bearer atl_service_SSSS' http://127.0.0.1:18081/rest/api/3/issue")
        .contains(
            "curl -s -H 'Authorization: Bearer atl_admin_AAAA' http://127.0.0.1:19091/admin/api-keys")
        // The first examples need a credential too, since every route requires one.
        .contains(
            "curl -i -X POST -H 'X-API-Key: atl_service_SSSS' http://127.0.0.1:18081/rest/api/3/issue")
        .contains(
            "curl -s -H 'X-API-Key: atl_user_UUUU' 'http://127.0.0.1:18081/rest/api/3/search");
  }
}
