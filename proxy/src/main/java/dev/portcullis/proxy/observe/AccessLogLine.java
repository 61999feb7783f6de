package dev.portcullis.proxy.observe;

import dev.portcullis.proxy.upstream.Target;
import java.net.InetSocketAddress;

/**
 * The values of one access log line, read by {@link AccessLogFormatter} while it writes the line. A
 * value that is null (or zero, for the status and the upstream time) is left out of the line.
 */
interface AccessLogLine {
  long startEpochMillis();

  long durationNanos();

  String method();

  String path();

  int status();

  InetSocketAddress client();

  long requestBodyBytes();

  long responseBodyBytes();

  String route();

  Target target();

  String requestId();

  String traceId();

  String userId();

  String authMethod();

  String userAgent();

  long upstreamNanos();
}
