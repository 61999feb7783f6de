package dev.portcullis.proxy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the command line in-process and keeps what it printed. */
final class CliRunner {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  int run(Map<String, String> env, String... args) {
    return PortcullisCommand.execute(
        args, env, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }
}
