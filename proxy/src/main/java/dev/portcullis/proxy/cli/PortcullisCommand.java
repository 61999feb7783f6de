package dev.portcullis.proxy.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * The command line: {@code portcullis [run] [--config FILE] [--demo]}, {@code portcullis config
 * check --config FILE}, {@code portcullis keys create|list|show|revoke|rotate}, {@code --version},
 * {@code --help}. Without a subcommand it runs the gateway.
 *
 * <p>Exit codes: 0 success, 1 invalid configuration or start-up failure, 2 bad usage. Output goes
 * to the writers given to {@link #execute}, so tests check it without {@code System.exit}.
 */
@Command(
    name = "portcullis",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "API gateway for Jira and Confluence. Without a command: run the gateway.",
    subcommands = {RunCommand.class, ConfigCommand.class, KeysCommand.class})
public final class PortcullisCommand implements Callable<Integer> {
  private final Map<String, String> env;

  @Mixin RunOptions options;

  @Spec CommandLine.Model.CommandSpec spec;

  PortcullisCommand(Map<String, String> env) {
    this.env = env;
  }

  private static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";
  private static final String LOW_MEMORY_ALLOCATOR_PROPERTY = "io.netty.allocator.lowMemory";

  public static void main(String[] args) {
    applyNettyDefaults(System.getProperties());
    int code =
        execute(
            args,
            System.getenv(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true));
    System.exit(code);
  }

  /**
   * Netty settings the gateway runs better with, each kept when the operator set it. They must be
   * in place before the first Netty class loads, which reads them once.
   */
  static void applyNettyDefaults(Properties properties) {
    // Netty's default samples one buffer in 128 for leak tracking, each sample capturing a stack
    // trace: measurable on the forwarding path (bench/README.md). The test suites run with
    // paranoid tracking instead; an operator chasing a leak sets the property explicitly.
    properties.putIfAbsent(LEAK_DETECTION_PROPERTY, "disabled");
    // Netty's buffer pool switches to a "low memory" mode when the heap limit is 512 MiB or less
    // (the size the README recommends): every buffer above 16.5 KiB, such as a socket read of a
    // large response, then becomes a one-off zeroed allocation. A gateway's buffers are direct
    // memory, which the heap limit does not measure; pooling them cost 11% less CPU per 64 KiB
    // response (bench/README.md).
    properties.putIfAbsent(LOW_MEMORY_ALLOCATOR_PROPERTY, "false");
  }

  /** Parses and runs {@code args}; {@code env} stands in for the process environment. */
  public static int execute(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new PortcullisCommand(env), new Factory(env));
    KeysCommand.acceptIdsStartingWithADash(cli.getSubcommands().get("keys"));
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(new CliErrors());
    cli.setExecutionExceptionHandler(new CliErrors());
    return cli.execute(args);
  }

  @Override
  public Integer call() throws InterruptedException {
    CommandLine cli = spec.commandLine();
    return new GatewayLauncher(env, cli.getOut(), cli.getErr()).run(options);
  }

  /** Hands the environment to the commands that need it. */
  private record Factory(Map<String, String> env) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == RunCommand.class) {
        return type.cast(new RunCommand(env));
      }
      if (type == ConfigCheckCommand.class) {
        return type.cast(new ConfigCheckCommand(env));
      }
      if (type == KeysCommand.Create.class) {
        return type.cast(new KeysCommand.Create(env));
      }
      if (type == KeysCommand.ListKeys.class) {
        return type.cast(new KeysCommand.ListKeys(env));
      }
      if (type == KeysCommand.Show.class) {
        return type.cast(new KeysCommand.Show(env));
      }
      if (type == KeysCommand.Revoke.class) {
        return type.cast(new KeysCommand.Revoke(env));
      }
      if (type == KeysCommand.Rotate.class) {
        return type.cast(new KeysCommand.Rotate(env));
      }
      return CommandLine.defaultFactory().create(type);
    }
  }
}
