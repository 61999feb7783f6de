package dev.portcullis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineUsageTest {
  private final CliRunner cli = new CliRunner();

  @Test
  void versionComesFromTheBuild() {
    assertThat(cli.run(Map.of(), "--version")).isZero();
    assertThat(cli.out()).startsWith("portcullis ").doesNotContain("${");
    assertThat(cli.out().lines()).hasSize(1);
  }

  @Test
  void helpListsTheCommandsAndRunOptions() {
    assertThat(cli.run(Map.of(), "--help")).isZero();
    assertThat(cli.out()).contains("Usage: portcullis", "run", "config", "--demo", "--config");
    assertThat(cli.err()).isEmpty();
  }

  @Test
  void subcommandsHaveHelpToo() {
    assertThat(cli.run(Map.of(), "config", "check", "--help")).isZero();
    assertThat(cli.out()).contains("Usage: portcullis config check", "--config=FILE");
    assertThat(cli.run(Map.of(), "run", "--help")).isZero();
    assertThat(cli.out()).contains("Usage: portcullis run", "--demo");
  }

  @Test
  void anUnknownOptionIsExit2WithOneLineAndAHint() {
    assertThat(cli.run(Map.of(), "--frobnicate")).isEqualTo(2);
    assertThat(cli.err().lines())
        .singleElement()
        .asString()
        .contains("Unknown option: '--frobnicate'")
        .contains("--help");
    assertThat(cli.out()).isEmpty();
  }

  @Test
  void anUnknownCommandIsExit2WithOneLine() {
    assertThat(cli.run(Map.of(), "frobnicate")).isEqualTo(2);
    assertThat(cli.err().lines()).singleElement().asString().contains("'frobnicate'");
  }

  @Test
  void anUnknownRunOptionIsExit2() {
    assertThat(cli.run(Map.of(), "run", "--demo", "--nope")).isEqualTo(2);
    assertThat(cli.err().lines()).singleElement().asString().contains("--nope");
  }

  @Test
  void configWithoutASubcommandIsBadUsage() {
    assertThat(cli.run(Map.of(), "config")).isEqualTo(2);
    assertThat(cli.err().lines()).singleElement().asString().contains("config check");
  }

  @Test
  void runStopsOnAConfigErrorBeforeStartingAnything() {
    assertThat(cli.run(Map.of("PORTCULLIS_ADMIN_PORT", "-5"), "--demo")).isEqualTo(1);
    assertThat(cli.err()).contains("PORTCULLIS_ADMIN_PORT", "admin.port");
    assertThat(cli.out()).isEmpty();
  }
}
