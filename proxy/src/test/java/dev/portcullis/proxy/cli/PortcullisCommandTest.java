package dev.portcullis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortcullisCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    return PortcullisCommand.execute(
        args, env, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void nettyDefaultsApplyOnlyWhereTheOperatorSetNothing() {
    Properties unset = new Properties();
    PortcullisCommand.applyNettyDefaults(unset);
    assertThat(unset)
        .containsEntry("io.netty.leakDetection.level", "disabled")
        .containsEntry("io.netty.allocator.lowMemory", "false");

    Properties chosen = new Properties();
    chosen.setProperty("io.netty.leakDetection.level", "paranoid");
    chosen.setProperty("io.netty.allocator.lowMemory", "true");
    PortcullisCommand.applyNettyDefaults(chosen);
    assertThat(chosen)
        .containsEntry("io.netty.leakDetection.level", "paranoid")
        .containsEntry("io.netty.allocator.lowMemory", "true");
  }

  @Test
  void configCheckAcceptsAGoodFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("good.yaml");
    Files.writeString(
        file, "server:\n  port: 8081\nupstreams:\n  jira:\n    targets: [http://10.0.0.5:8080]\n");
    assertThat(run(Map.of(), "config", "check", "--config", file.toString())).isZero();
    assertThat(out.toString().trim()).isEqualTo("config OK");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void configCheckListsEveryProblemWithFileAndKeyAndNeverASecret(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        "server:\n  port: 99999\nupstreams:\n  jira:\n    targets: [ftp://x]\n    request_headers: {X-Token: s3cr3t-value, X-Other: '${NOT_SET_ANYWHERE}'}\n");
    assertThat(run(Map.of(), "config", "check", "--config", file.toString())).isEqualTo(1);
    assertThat(err.toString().lines())
        .containsExactly(
            file + ": server.port: 99999 (expected: 0..65535)",
            file
                + ": upstreams.jira.targets[0]: 'ftp://x' (expected: an absolute http:// or https:// URL such as http://10.0.0.5:8080)",
            file
                + ": upstreams.jira.request_headers.X-Other: environment variable NOT_SET_ANYWHERE is not set");
    assertThat(out.toString() + err).doesNotContain("s3cr3t");
  }

  @Test
  void configCheckRequiresAFile() {
    assertThat(run(Map.of(), "config", "check")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--config=FILE'");
  }

  @Test
  void versionAndHelp() {
    assertThat(run(Map.of(), "--version")).isZero();
    assertThat(out.toString()).startsWith("portcullis ");
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out.toString()).contains("run", "config", "Usage: portcullis");
  }

  @Test
  void unknownOptionsAreABadUsageWithAOneLineReason() {
    assertThat(run(Map.of(), "--frobnicate")).isEqualTo(2);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).contains("Unknown option: '--frobnicate'");
  }

  @Test
  void runRefusesABadConfigurationBeforeBinding() {
    assertThat(run(Map.of("PORTCULLIS_SERVER_PORT", "not-a-port"))).isEqualTo(1);
    assertThat(err.toString().trim())
        .isEqualTo(
            "environment PORTCULLIS_SERVER_PORT: server.port: 'not-a-port' (expected: an integer)");
  }

  @Test
  void runReadsTheConfigPathFromTheEnvironment(@TempDir Path dir) {
    Path missing = dir.resolve("absent.yaml");
    assertThat(run(Map.of("PORTCULLIS_CONFIG", missing.toString()), "run")).isEqualTo(1);
    assertThat(err.toString().trim())
        .isEqualTo(missing + ": cannot read the configuration file (no such file)");
  }

  @Test
  void runOnAPortInUseExitsWithAOneLineReason() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      int code =
          run(
              Map.of(
                  "PORTCULLIS_SERVER_ADDRESS", "127.0.0.1",
                  "PORTCULLIS_SERVER_PORT", String.valueOf(taken.getLocalPort()),
                  "PORTCULLIS_ADMIN_PORT", "0",
                  "PORTCULLIS_AUTH_API_KEYS_STORE_URL", "jdbc:h2:mem:port-in-use",
                  "PORTCULLIS_AUTH_API_KEYS_PEPPER", "p".repeat(40)));
      assertThat(code).isEqualTo(1);
      assertThat(err.toString().trim())
          .isEqualTo(
              "portcullis: server: cannot listen on 127.0.0.1:"
                  + taken.getLocalPort()
                  + " (address already in use)");
    }
  }

  @Test
  void runWithoutAPepperStopsBeforeBindingAndNamesTheKey() {
    assertThat(
            run(
                Map.of(
                    "PORTCULLIS_SERVER_ADDRESS", "127.0.0.1",
                    "PORTCULLIS_SERVER_PORT", "0",
                    "PORTCULLIS_ADMIN_PORT", "0",
                    "PORTCULLIS_AUTH_API_KEYS_STORE_URL", "jdbc:h2:mem:no-pepper")))
        .isEqualTo(1);
    assertThat(err.toString().trim())
        .startsWith("portcullis: auth.api_keys.pepper: missing (expected: file:/path or ${ENV_VAR}")
        .doesNotContain("\n");
  }
}
