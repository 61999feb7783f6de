package dev.portcullis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCheckCommandTest {
  private final CliRunner cli = new CliRunner();

  @Test
  void aGoodFileIsOk(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("portcullis.yaml");
    Files.writeString(
        file,
        "server:\n  port: 8443\nupstreams:\n  jira:\n    targets: [http://jira.internal:8080]\n"
            + "    request_headers:\n      X-Gateway-Secret: literal-s3cr3t\n");

    assertThat(cli.run(Map.of(), "config", "check", "--config", file.toString())).isZero();
    assertThat(cli.out()).isEqualTo("config OK" + System.lineSeparator());
    assertThat(cli.err()).isEmpty();
    assertThat(cli.out()).doesNotContain("s3cr3t");
  }

  @Test
  void aBadFileListsEveryProblemWithFileAndKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        "server:\n  port: -1\n  worker_threads: lots\nadmin:\n  colour: blue\n"
            + "upstreams:\n  jira:\n    targets: []\n");

    assertThat(cli.run(Map.of(), "config", "check", "--config", file.toString())).isEqualTo(1);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.err().lines()).hasSizeGreaterThanOrEqualTo(4);
    assertThat(cli.err().lines()).allSatisfy(line -> assertThat(line).startsWith(file + ": "));
    assertThat(cli.err())
        .contains("server.port", "server.worker_threads", "admin.colour", "upstreams.jira.targets");
  }

  @Test
  void noSecretIsPrintedEvenNextToAProblem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secret.yaml");
    Files.writeString(
        file,
        "upstreams:\n  jira:\n    targets: [not a url]\n    request_headers:\n"
            + "      X-Gateway-Secret: literal-s3cr3t\n      X-From-Env: ${GATEWAY_TOKEN}\n"
            + "      'bad header': also-s3cr3t\n");

    int code =
        cli.run(
            Map.of("GATEWAY_TOKEN", "env-s3cr3t"), "config", "check", "--config", file.toString());

    assertThat(code).isEqualTo(1);
    assertThat(cli.err()).contains("upstreams.jira.targets");
    assertThat(cli.out() + cli.err()).doesNotContain("s3cr3t");
  }

  @Test
  void environmentOverridesAreCheckedToo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, "server:\n  port: 8080\n");

    int code =
        cli.run(
            Map.of("PORTCULLIS_ADMIN_PORT", "70000"),
            "config",
            "check",
            "--config",
            file.toString());

    assertThat(code).isEqualTo(1);
    assertThat(cli.err()).contains("PORTCULLIS_ADMIN_PORT", "admin.port");
  }

  @Test
  void aMissingFileIsAProblemNotACrash(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    assertThat(cli.run(Map.of(), "config", "check", "--config", missing.toString())).isEqualTo(1);
    assertThat(cli.err().lines()).singleElement().asString().startsWith(missing.toString());
  }
}
