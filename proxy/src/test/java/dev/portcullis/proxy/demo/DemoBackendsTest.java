package dev.portcullis.proxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.ConfigLoader;
import dev.portcullis.core.config.GatewayConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoBackendsTest {

  @Test
  void wiringReplacesOnlyTheProductTargetsAndKeepsEverythingElse() throws Exception {
    GatewayConfig config =
        new ConfigLoader(
                Map.of("PORTCULLIS_SERVER_PORT", "18080", "PORTCULLIS_ADMIN_PORT", "19090"))
            .parse(
                "upstreams:\n"
                    + "  jira:\n"
                    + "    targets: [http://10.0.0.5:8080]\n"
                    + "    max_connections_per_target: 7\n"
                    + "  other:\n"
                    + "    targets: [http://10.0.0.9:80]\n",
                "test.yaml");
    try (DemoBackends backends = DemoBackends.start()) {
      GatewayConfig wired = backends.wire(config);

      assertThat(wired.upstreams().get("jira").targets()).containsExactly(backends.jira().uri());
      assertThat(wired.upstreams().get("jira").maxConnectionsPerTarget()).isEqualTo(7);
      assertThat(wired.upstreams().get("confluence").targets())
          .containsExactly(backends.confluence().uri());
      assertThat(wired.upstreams().get("other").targets())
          .containsExactly(URI.create("http://10.0.0.9:80"));
      assertThat(wired.server()).isEqualTo(config.server());
      assertThat(wired.server().port()).isEqualTo(18080);
      assertThat(wired.admin().port()).isEqualTo(19090);
      assertThat(wired.routes()).isEqualTo(config.routes());
      assertThat(backends.jira().port()).isNotEqualTo(backends.confluence().port());
    }
  }

  @Test
  void twoDemosRunSideBySide() throws Exception {
    try (DemoBackends first = DemoBackends.start();
        DemoBackends second = DemoBackends.start()) {
      assertThat(
              List.of(
                  first.jira().port(),
                  first.confluence().port(),
                  second.jira().port(),
                  second.confluence().port()))
          .doesNotHaveDuplicates();
    }
  }
}
