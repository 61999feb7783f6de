package dev.portcullis.proxy.observe;

import dev.portcullis.proxy.upstream.Target;
import java.net.InetSocketAddress;

/** A line's values as given, for tests of the access log. */
record AccessLogEntry(
    long startEpochMillis,
    long durationNanos,
    String method,
    String path,
    int status,
    InetSocketAddress client,
    long requestBodyBytes,
    long responseBodyBytes,
    String route,
    Target target,
    String requestId,
    String traceId,
    String userId,
    String authMethod,
    String userAgent,
    long upstreamNanos)
    implements AccessLogLine {

  /** The line as a fresh formatter writes it, without its newline. */
  String json() {
    AccessLogFormatter formatter = new AccessLogFormatter();
    formatter.format(this, false);
    return formatter.text();
  }
}
