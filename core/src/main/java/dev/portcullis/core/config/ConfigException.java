package dev.portcullis.core.config;

import java.util.List;

/**
 * The configuration is invalid. Carries every problem found, one line each, in the form {@code
 * <source>: <path.to.key>: <reason>}; the message is those lines joined. No line ever holds a
 * secret's value.
 */
public final class ConfigException extends Exception {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
