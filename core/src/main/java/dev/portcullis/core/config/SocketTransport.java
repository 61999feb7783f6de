package dev.portcullis.core.config;

import java.util.Locale;

/**
 * Which kernel interface the event loops use for sockets. YAML: {@code auto}, {@code io_uring},
 * {@code epoll}, {@code nio}.
 */
public enum SocketTransport {
  /**
   * io_uring where the kernel allows it (seccomp profiles of many container runtimes forbid it),
   * else epoll, else NIO: io_uring batches a loop's socket operations into one system call, which
   * on a proxy doing four socket operations per request is most of the kernel's cost.
   */
  AUTO,
  IO_URING,
  EPOLL,
  /** The JDK's selector: every platform, slowest. */
  NIO;

  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The transport named in YAML, or null when no transport has that name. */
  public static SocketTransport fromYaml(String text) {
    for (SocketTransport transport : values()) {
      if (transport.yamlName().equals(text)) {
        return transport;
      }
    }
    return null;
  }
}
