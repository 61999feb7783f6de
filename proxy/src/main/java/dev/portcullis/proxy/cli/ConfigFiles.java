package dev.portcullis.proxy.cli;

import dev.portcullis.core.config.ConfigException;
import dev.portcullis.core.config.ConfigLoader;
import dev.portcullis.core.config.GatewayConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Where the configuration comes from, and reporting its problems one per line. */
final class ConfigFiles {
  static final String CONFIG_ENV = "PORTCULLIS_CONFIG";

  private ConfigFiles() {}

  /** The file named by the option, else by {@code PORTCULLIS_CONFIG}, else none (defaults). */
  static Path resolve(Path option, Map<String, String> env) {
    if (option != null) {
      return option;
    }
    String fromEnv = env.get(CONFIG_ENV);
    return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv.trim());
  }

  /**
   * Loads the configuration, or prints every problem to {@code err} and returns empty. The lines
   * are the loader's, which never hold a secret's value.
   */
  static Optional<GatewayConfig> load(Path option, Map<String, String> env, PrintWriter err) {
    try {
      return Optional.of(new ConfigLoader(env).load(resolve(option, env)));
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      err.flush();
      return Optional.empty();
    }
  }
}
