package dev.portcullis.proxy.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code config check}: loads the file as {@code run} would (environment overrides included) and
 * prints every problem, or {@code config OK}. Problem lines come from the loader, which never puts
 * a secret's value in one.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Validate a configuration file and print every problem found.")
final class ConfigCheckCommand implements Callable<Integer> {
  private final Map<String, String> env;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      required = true,
      description = "YAML configuration to validate.")
  Path config;

  @Spec CommandLine.Model.CommandSpec spec;

  ConfigCheckCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    CommandLine cli = spec.commandLine();
    if (ConfigFiles.load(config, env, cli.getErr()).isEmpty()) {
      return CliErrors.INVALID;
    }
    cli.getOut().println("config OK");
    cli.getOut().flush();
    return 0;
  }
}
