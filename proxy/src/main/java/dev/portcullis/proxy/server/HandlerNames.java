package dev.portcullis.proxy.server;

/**
 * Names of the downstream pipeline's handlers, in pipeline order: the one place they are spelled.
 */
public final class HandlerNames {
  public static final String IDLE = "idle";
  public static final String HEAD_TIMEOUT = "head-timeout";
  public static final String HEAD_SCAN = "head-scan";
  public static final String HTTP_CODEC = "http-codec";
  public static final String COMPRESSION = "compression";
  public static final String FORWARD = "forward";

  private HandlerNames() {}
}
