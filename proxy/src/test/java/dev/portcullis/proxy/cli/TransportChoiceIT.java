package dev.portcullis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees when the kernel interface asked for cannot load. Each case is a gateway
 * process of its own, started with Netty's native transports switched off ({@code
 * -Dio.netty.transport.noNative=true}), as on a machine or container without them.
 */
class TransportChoiceIT {
  @TempDir Path dir;

  private Process start(String transport) throws IOException {
    return portcullis(transport, "run");
  }

  private Process portcullis(String transport, String... command) throws IOException {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        "server: {address: 127.0.0.1, port: 0, transport: "
            + transport
            + "}\nadmin: {address: 127.0.0.1, port: 0}\n"
            + "auth:\n  api_keys:\n    pepper: ${TEST_PEPPER}\n"
            + "    store: {url: 'jdbc:h2:mem:transport-choice'}\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
            new ArrayList<>(
                List.of(
                    java,
                    "-Dio.netty.transport.noNative=true",
                    "-cp",
                    System.getProperty("java.class.path"),
                    PortcullisCommand.class.getName())));
    builder.command().addAll(List.of(command));
    builder.command().addAll(List.of("--config", config.toString()));
    builder.environment().put("TEST_PEPPER", "x".repeat(48));
    return builder
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("output.txt").toFile())
        .start();
  }

  private String output() throws IOException {
    return Files.readString(dir.resolve("output.txt"), StandardCharsets.UTF_8);
  }

  @Test
  void aNamedTransportThatCannotLoadStopsTheStartWithTheReason() throws Exception {
    Process gateway = start("io_uring");
    try {
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(gateway.exitValue()).isEqualTo(1);
      assertThat(output())
          .contains("portcullis: server.transport: io_uring is not available on this machine")
          .contains("noNative")
          .doesNotContain("\tat ");
    } finally {
      gateway.destroyForcibly();
    }
  }

  @Test
  void configCheckRefusesANamedTransportThatCannotLoad() throws Exception {
    Process check = portcullis("epoll", "config", "check");
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).isEqualTo(1);
    assertThat(output())
        .contains("gateway.yaml: server.transport: epoll is not available on this machine (")
        .doesNotContain("config OK");

    Process auto = portcullis("auto", "config", "check");
    assertThat(auto.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(auto.exitValue()).isZero();
    assertThat(output()).contains("config OK");
  }

  @Test
  void autoFallsBackAndSaysWhy() throws Exception {
    Process gateway = start("auto");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!output().contains("portcullis listening on") && System.nanoTime() < deadline) {
        assertThat(gateway.isAlive()).as("gateway exited: %s", output()).isTrue();
        Thread.sleep(100);
      }
      assertThat(output())
          .contains("io_uring is not available (")
          .contains("using nio")
          .contains("transport nio");
    } finally {
      gateway.destroy();
      gateway.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
