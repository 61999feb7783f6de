package dev.portcullis.proxy.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the gateway until SIGTERM or Ctrl-C (the default command).")
final class RunCommand implements Callable<Integer> {
  private final Map<String, String> env;

  @Mixin RunOptions options;

  @Spec CommandLine.Model.CommandSpec spec;

  RunCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cli = spec.commandLine();
    return new GatewayLauncher(env, cli.getOut(), cli.getErr()).run(options);
  }
}
