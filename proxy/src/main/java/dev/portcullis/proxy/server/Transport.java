package dev.portcullis.proxy.server;

import dev.portcullis.core.config.SocketTransport;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport, chosen once at start-up; downstream and upstream channels share it so an
 * upstream connection can live on its downstream channel's event loop.
 */
public record Transport(
    String name,
    IoHandlerFactory ioHandlerFactory,
    Class<? extends ServerChannel> serverChannel,
    Class<? extends SocketChannel> socketChannel) {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  /**
   * The transport {@code server.transport} asks for. {@code auto} takes the fastest this machine
   * allows; a named one that cannot load is a start-up error rather than a silent fallback, since
   * an operator who names one is measuring or working around something.
   *
   * @throws IllegalStateException naming the setting and why the kernel or platform refused
   */
  public static Transport of(SocketTransport choice) {
    return switch (choice) {
      case AUTO -> {
        if (IoUring.isAvailable()) {
          yield ioUring();
        }
        // Said once at start, so an operator who expected io_uring (a container whose seccomp
        // profile forbids it, an old kernel) sees why it is not in use.
        log.info(
            "io_uring is not available ({}); using {}",
            reason(IoUring.unavailabilityCause()),
            Epoll.isAvailable() ? "epoll" : "nio");
        yield Epoll.isAvailable() ? epoll() : nio();
      }
      case IO_URING -> {
        requireAvailable(choice);
        yield ioUring();
      }
      case EPOLL -> {
        requireAvailable(choice);
        yield epoll();
      }
      case NIO -> nio();
    };
  }

  /** Whether {@link #of} can start the named transport here. */
  public static boolean isAvailable(SocketTransport choice) {
    return unavailableBecause(choice) == null;
  }

  /**
   * Why the named transport cannot start here, as a configuration problem ({@code server.transport:
   * io_uring is not available on this machine (reason)}); null when it can.
   */
  public static String unavailableBecause(SocketTransport choice) {
    Throwable cause =
        switch (choice) {
          case AUTO, NIO -> null;
          case IO_URING -> IoUring.unavailabilityCause();
          case EPOLL -> Epoll.unavailabilityCause();
        };
    return cause == null
        ? null
        : "server.transport: "
            + choice.yamlName()
            + " is not available on this machine ("
            + reason(cause)
            + ")";
  }

  /** Netty's causes are exceptions; some carry no message, and their type is then the reason. */
  private static String reason(Throwable cause) {
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }

  private static void requireAvailable(SocketTransport choice) {
    String problem = unavailableBecause(choice);
    if (problem != null) {
      throw new IllegalStateException(problem + "; use auto to fall back to the best one that is");
    }
  }

  private static Transport ioUring() {
    return new Transport(
        "io_uring",
        IoUringIoHandler.newFactory(),
        IoUringServerSocketChannel.class,
        IoUringSocketChannel.class);
  }

  private static Transport epoll() {
    return new Transport(
        "epoll",
        EpollIoHandler.newFactory(),
        EpollServerSocketChannel.class,
        EpollSocketChannel.class);
  }

  private static Transport nio() {
    return new Transport(
        "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  public MultiThreadIoEventLoopGroup newGroup(int threads, String threadPrefix) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory(threadPrefix, true), ioHandlerFactory);
  }
}
