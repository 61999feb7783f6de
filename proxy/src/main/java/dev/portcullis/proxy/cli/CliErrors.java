package dev.portcullis.proxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How failures end: bad usage is one line with the reason and a hint (exit 2), anything a command
 * throws is one line with its message (exit 1). Never a stack trace on the console: the message is
 * what an operator can act on, and a trace would bury it.
 */
final class CliErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {
  static final int INVALID = 1;
  static final int USAGE = 2;

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cli = ex.getCommandLine();
    String reason = firstLine(ex.getMessage());
    cli.getErr()
        .println(
            "portcullis: "
                + reason
                + " (see '"
                + cli.getCommandSpec().qualifiedName()
                + " --help')");
    cli.getErr().flush();
    return USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parseResult) {
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    cli.getErr().println("portcullis: " + firstLine(message));
    cli.getErr().flush();
    return INVALID;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid usage";
    }
    int end = message.indexOf('\n');
    return (end < 0 ? message : message.substring(0, end)).strip();
  }
}
