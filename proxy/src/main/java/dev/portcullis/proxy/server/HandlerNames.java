package dev.portcullis.proxy.server;

/**
 * Names of the downstream pipeline's handlers, in pipeline order: the one place they are spelled. A
 * connection gets either the HTTP/1.1 handlers or the HTTP/2 ones, once its protocol is known.
 */
public final class HandlerNames {
  public static final String CONNECTION_LIMIT = "connection-limit";
  public static final String TLS = "tls";
  public static final String ALPN = "alpn";
  public static final String H2C_PREFACE = "h2c-preface";
  public static final String IDLE = "idle";
  // HTTP/1.1
  public static final String HEAD_TIMEOUT = "head-timeout";
  public static final String HEAD_SCAN = "head-scan";
  public static final String HTTP_CODEC = "http-codec";
  public static final String COMPRESSION = "compression";
  public static final String FORWARD = "forward";
  // HTTP/2 connection
  public static final String H2_CODEC = "h2-codec";
  public static final String H2_MULTIPLEX = "h2-multiplex";
  public static final String H2_CONNECTION = "h2-connection";
  // HTTP/2 stream (each stream's child channel, ending with FORWARD)
  public static final String H2_STREAM_CODEC = "h2-stream-codec";
  public static final String H2_STREAM_REQUEST = "h2-stream-request";

  private HandlerNames() {}
}
