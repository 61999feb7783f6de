package dev.portcullis.core.config;

import dev.portcullis.core.net.Cidr;
import java.time.Duration;
import java.util.List;

/**
 * The downstream (client-facing) listener.
 *
 * @param workerThreads event-loop threads; 0 means one per available processor
 * @param transport the event loops' socket interface (io_uring, epoll or NIO)
 * @param trustedProxies CIDRs of load balancers whose X-Forwarded-For / Forwarded are kept and
 *     appended to; from any other peer those headers are replaced
 * @param drainTimeout how long graceful shutdown waits for in-flight requests
 * @param tls TLS termination; {@link ServerTlsConfig#DISABLED} for plain HTTP
 * @param http2 HTTP/2 by ALPN on TLS, and optionally prior-knowledge h2c on plain HTTP
 * @param compression response compression
 */
public record ServerConfig(
    String address,
    int port,
    int workerThreads,
    SocketTransport transport,
    ServerLimits limits,
    Duration drainTimeout,
    List<Cidr> trustedProxies,
    EdgeSecurityConfig security,
    ServerTlsConfig tls,
    Http2Config http2,
    CompressionConfig compression) {

  public static final ServerConfig DEFAULTS =
      new ServerConfig(
          "0.0.0.0",
          8080,
          0,
          SocketTransport.AUTO,
          ServerLimits.DEFAULTS,
          Duration.ofSeconds(30),
          List.of(),
          EdgeSecurityConfig.DEFAULTS,
          ServerTlsConfig.DISABLED,
          Http2Config.DEFAULTS,
          CompressionConfig.DEFAULTS);

  /** A plain-HTTP listener with the given edge security and default compression. */
  public ServerConfig(
      String address,
      int port,
      int workerThreads,
      ServerLimits limits,
      Duration drainTimeout,
      List<Cidr> trustedProxies,
      EdgeSecurityConfig security) {
    this(
        address,
        port,
        workerThreads,
        SocketTransport.AUTO,
        limits,
        drainTimeout,
        trustedProxies,
        security,
        ServerTlsConfig.DISABLED,
        Http2Config.DEFAULTS,
        CompressionConfig.DEFAULTS);
  }

  /** A listener with the default edge security. */
  public ServerConfig(
      String address,
      int port,
      int workerThreads,
      ServerLimits limits,
      Duration drainTimeout,
      List<Cidr> trustedProxies) {
    this(
        address,
        port,
        workerThreads,
        limits,
        drainTimeout,
        trustedProxies,
        EdgeSecurityConfig.DEFAULTS);
  }

  public ServerConfig {
    Checks.notBlank("server.address", address);
    Checks.port("server.port", port);
    Checks.notNegative("server.worker_threads", workerThreads);
    Checks.notNull("server.transport", transport);
    Checks.notNull("server.limits", limits);
    Checks.notNegative("server.drain_timeout", drainTimeout);
    trustedProxies = List.copyOf(trustedProxies);
    Checks.notNull("server.security", security);
    Checks.notNull("server.tls", tls);
    Checks.notNull("server.http2", http2);
    Checks.notNull("server.compression", compression);
  }

  /** The same listener with other TLS and HTTP/2 settings. */
  public ServerConfig withProtocols(ServerTlsConfig newTls, Http2Config newHttp2) {
    return new ServerConfig(
        address,
        port,
        workerThreads,
        transport,
        limits,
        drainTimeout,
        trustedProxies,
        security,
        newTls,
        newHttp2,
        compression);
  }

  /** The same listener with other compression settings. */
  public ServerConfig withCompression(CompressionConfig newCompression) {
    return new ServerConfig(
        address,
        port,
        workerThreads,
        transport,
        limits,
        drainTimeout,
        trustedProxies,
        security,
        tls,
        http2,
        newCompression);
  }

  /** The same listener on another socket transport. */
  public ServerConfig withTransport(SocketTransport newTransport) {
    return new ServerConfig(
        address,
        port,
        workerThreads,
        newTransport,
        limits,
        drainTimeout,
        trustedProxies,
        security,
        tls,
        http2,
        compression);
  }

  /** Worker threads to start: the configured count, or one per processor when it is 0. */
  public int effectiveWorkerThreads() {
    return workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
  }
}
