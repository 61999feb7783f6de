package dev.portcullis.proxy.cli;

import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.server.Transport;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code config check}: loads the file as {@code run} would (environment overrides included) and
 * prints every problem, or {@code config OK}. It also refuses a named socket transport this machine
 * cannot start. Problem lines come from the loader, which never puts a secret's value in one.
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
    Optional<GatewayConfig> loaded = ConfigFiles.load(config, env, cli.getErr());
    if (loaded.isEmpty()) {
      return CliErrors.INVALID;
    }
    // A valid file can still name a transport this machine cannot start; run would stop on it.
    String transportProblem = Transport.unavailableBecause(loaded.get().server().transport());
    if (transportProblem != null) {
      cli.getErr().println(config.getFileName() + ": " + transportProblem);
      cli.getErr().flush();
      return CliErrors.INVALID;
    }
    cli.getOut().println("config OK");
    cli.getOut().flush();
    return 0;
  }
}
