package dev.portcullis.proxy.cli;

import dev.portcullis.core.config.ConfigException;
import dev.portcullis.core.config.ConfigLoader;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.demo.DemoBackends;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: {@code portcullis [run] [--config FILE] [--demo]}, {@code portcullis config
 * check --config FILE}, {@code --version}, {@code --help}. Exit codes: 0 success, 1 invalid
 * configuration or start-up failure, 2 bad usage.
 */
@Command(
    name = "portcullis",
    mixinStandardHelpOptions = true,
    versionProvider = PortcullisCommand.Version.class,
    description = "API gateway for Jira and Confluence.",
    subcommands = {PortcullisCommand.Run.class, PortcullisCommand.ConfigCommand.class})
public final class PortcullisCommand implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(
        execute(
            args,
            System.getenv(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true)));
  }

  /** Runs the command line; {@code portcullis} alone or with only run options means {@code run}. */
  public static int execute(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new PortcullisCommand(), new EnvFactory(env));
    cli.setOut(out).setErr(err);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("portcullis: " + ex.getMessage() + " (see 'portcullis --help')");
          return 2;
        });
    String[] effective = args;
    boolean startsWithSubcommand = args.length > 0 && cli.getSubcommands().containsKey(args[0]);
    boolean topLevelOnly =
        args.length > 0
            && (args[0].equals("--help")
                || args[0].equals("-h")
                || args[0].equals("--version")
                || args[0].equals("-V"));
    if (!startsWithSubcommand && !topLevelOnly) {
      effective = new String[args.length + 1];
      effective[0] = "run";
      System.arraycopy(args, 0, effective, 1, args.length);
    }
    return cli.execute(effective);
  }

  @Override
  public Integer call() {
    return 0;
  }

  /** Gives commands the environment (injectable for tests). */
  private record EnvFactory(Map<String, String> env) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == Run.class) {
        return cls.cast(new Run(env));
      }
      if (cls == Check.class) {
        return cls.cast(new Check(env));
      }
      return CommandLine.defaultFactory().create(cls);
    }
  }

  static GatewayConfig load(Path file, Map<String, String> env, PrintWriter err) {
    Path effective = file;
    if (effective == null
        && env.get("PORTCULLIS_CONFIG") != null
        && !env.get("PORTCULLIS_CONFIG").isBlank()) {
      effective = Path.of(env.get("PORTCULLIS_CONFIG"));
    }
    try {
      return new ConfigLoader(env).load(effective);
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      return null;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Run the gateway (the default command).")
  static final class Run implements Callable<Integer> {
    private final Map<String, String> env;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "YAML configuration (default: $PORTCULLIS_CONFIG, else built-in defaults)")
    Path config;

    @Option(
        names = "--demo",
        description = "Start mock Jira and Confluence backends in this process and route to them.")
    boolean demo;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    Run(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      GatewayConfig loaded = load(config, env, err);
      if (loaded == null) {
        return 1;
      }
      DemoBackends backends = demo ? DemoBackends.start() : null;
      Gateway gateway;
      try {
        gateway = Gateway.start(backends == null ? loaded : backends.wire(loaded));
      } catch (IllegalStateException e) {
        err.println("portcullis: " + e.getMessage());
        if (backends != null) {
          backends.close();
        }
        return 1;
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    gateway.shutdownGracefully();
                    if (backends != null) {
                      backends.close();
                    }
                  },
                  "portcullis-shutdown"));
      if (backends != null) {
        DemoBanner.print(out, gateway, backends);
      }
      gateway.awaitTermination();
      return 0;
    }
  }

  @Command(
      name = "config",
      description = "Configuration tools.",
      subcommands = Check.class,
      mixinStandardHelpOptions = true)
  static final class ConfigCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine()
          .getErr()
          .println(
              "portcullis config: missing subcommand (try 'portcullis config check --config FILE')");
      return 2;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Validate a configuration and print every problem.")
  static final class Check implements Callable<Integer> {
    private final Map<String, String> env;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        required = true,
        description = "YAML configuration to validate")
    Path config;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    Check(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      if (load(config, env, spec.commandLine().getErr()) == null) {
        return 1;
      }
      spec.commandLine().getOut().println("config OK");
      return 0;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = PortcullisCommand.class.getPackage().getImplementationVersion();
      return new String[] {"portcullis " + (version == null ? "development build" : version)};
    }
  }
}
