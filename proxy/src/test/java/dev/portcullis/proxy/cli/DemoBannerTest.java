package dev.portcullis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
