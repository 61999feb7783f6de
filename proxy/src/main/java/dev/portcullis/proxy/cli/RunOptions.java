package dev.portcullis.proxy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of {@code run}, also accepted without the subcommand ({@code portcullis --demo}). */
final class RunOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration (default: $PORTCULLIS_CONFIG, else built-in defaults).")
  Path config;

  @Option(
      names = "--demo",
      description =
          "Start mock Jira and Confluence in this process and point the jira and confluence"
              + " upstreams at them.")
  boolean demo;
}
