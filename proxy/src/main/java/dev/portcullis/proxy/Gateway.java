package dev.portcullis.proxy;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.token.IdentityTokenIssuer;
import dev.portcullis.core.audit.AuditSink;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import dev.portcullis.core.route.Router;
import dev.portcullis.proxy.admin.AdminModule;
import dev.portcullis.proxy.admin.AdminServer;
import dev.portcullis.proxy.admin.HealthEndpoints;
import dev.portcullis.proxy.admin.JwksEndpoint;
import dev.portcullis.proxy.forward.DrainEvent;
import dev.portcullis.proxy.forward.ForwardingContext;
import dev.portcullis.proxy.forward.GatewayState;
import dev.portcullis.proxy.observe.Observability;
import dev.portcullis.proxy.server.DownstreamChannelInitializer;
import dev.portcullis.proxy.server.Transport;
import dev.portcullis.proxy.tls.ReloadingServerTls;
import dev.portcullis.proxy.upstream.UpstreamPools;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: the downstream listener, the admin listener and the upstream pools, built from
 * one configuration snapshot.
 *
 * <p>Threads: one acceptor, {@code server.worker_threads} workers (each client connection and its
 * upstream connections live on one worker), one admin loop.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final GatewayConfig config;
  private final EventLoopGroup acceptGroup;
  private final EventLoopGroup workerGroup;
  private final EventLoopGroup adminGroup;
  private final UpstreamPools pools;
  private final GatewayState state;
  private final AdminServer admin;
  private final IdentityTokenIssuer identityTokens;
  private final Observability observability;
  private final CountDownLatch terminated = new CountDownLatch(1);

  /** Modules started for this gateway (rate limiting's Redis client), closed after the pools. */
  private final List<AutoCloseable> closeOnStop = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final List<AdminModule> adminModules = new java.util.ArrayList<>();

  private final String transportName;
  private ReloadingServerTls serverTls;
  private Channel serverChannel;
  private InetSocketAddress address;
  private InetSocketAddress adminAddress;
  private boolean stopping;
  private boolean drainedCleanly;

  private Gateway(
      GatewayConfig config,
      Transport transport,
      Observability observability,
      IdentityTokenIssuer identityTokens) {
    this.config = config;
    ServerConfig server = config.server();
    this.observability = observability;
    this.identityTokens = identityTokens;
    this.transportName = transport.name();
    this.acceptGroup = transport.newGroup(1, "portcullis-accept");
    this.workerGroup = transport.newGroup(server.effectiveWorkerThreads(), "portcullis-worker");
    this.adminGroup = transport.newGroup(1, "portcullis-admin");
    this.pools =
        UpstreamPools.create(
            config.upstreams(), workerGroup, transport.socketChannel(), observability);
    this.state = new GatewayState();
    this.admin = new AdminServer();
  }

  /**
   * Builds the modules the configuration asks for (rate limiting, authentication), binds both
   * listeners and returns once they accept connections.
   *
   * @throws IllegalStateException when a listener cannot bind or a module cannot start (the message
   *     names the key or address)
   */
  public static Gateway start(GatewayConfig config) throws InterruptedException {
    return start(config, (ApiKeyService) null);
  }

  /**
   * The same, verifying and managing API keys with the given service (a demo's seeded store, for
   * one). The gateway owns the service from this call on.
   *
   * @param keys the API-key service, or null to open the one {@code auth.api_keys} describes when a
   *     pepper is configured (without one, API keys are not accepted)
   */
  public static Gateway start(GatewayConfig config, ApiKeyService keys)
      throws InterruptedException {
    Observability observability;
    try {
      // First: it may fail (an access log file that cannot be opened) before any thread exists.
      observability = Observability.create(config);
    } catch (RuntimeException e) {
      if (keys != null) {
        keys.close();
      }
      throw e;
    }
    GatewayModules modules;
    try {
      modules = GatewayModules.create(config, observability, keys);
    } catch (RuntimeException e) {
      observability.close();
      throw e;
    }
    try {
      Gateway gateway =
          start(
              config,
              modules.filterFactories(),
              modules.adminModules(),
              observability,
              modules.identityTokens());
      gateway.closeOnStop.addAll(modules.closeables());
      return gateway;
    } catch (RuntimeException | InterruptedException e) {
      modules.close();
      throw e;
    }
  }

  /**
   * Starts with only the filters the given factories contribute to each route (no modules of its
   * own): for tests of one module.
   *
   * @throws IllegalStateException when a listener cannot bind (the message names the address)
   */
  public static Gateway start(GatewayConfig config, List<RouteFilterFactory> filterFactories)
      throws InterruptedException {
    return start(config, filterFactories, List.of());
  }

  /**
   * Starts with route filters and admin modules but no modules of its own; the gateway owns the
   * admin modules from this call on.
   *
   * @throws IllegalStateException when a listener cannot bind (the message names the address)
   */
  public static Gateway start(
      GatewayConfig config,
      List<RouteFilterFactory> filterFactories,
      List<AdminModule> adminModules)
      throws InterruptedException {
    Observability observability;
    try {
      observability = Observability.create(config);
    } catch (RuntimeException e) {
      closeAll(adminModules);
      throw e;
    }
    return start(config, filterFactories, adminModules, observability, null);
  }

  private static Gateway start(
      GatewayConfig config,
      List<RouteFilterFactory> filterFactories,
      List<AdminModule> adminModules,
      Observability observability,
      IdentityTokenIssuer identityTokens)
      throws InterruptedException {
    Transport transport;
    Router router;
    Gateway gateway;
    try {
      transport = Transport.of(config.server().transport());
      router = Router.compile(config, filterFactories);
      gateway = new Gateway(config, transport, observability, identityTokens);
    } catch (RuntimeException e) {
      closeAll(adminModules);
      observability.close();
      throw e;
    }
    gateway.adminModules.addAll(adminModules);
    gateway.closeOnStop.addAll(adminModules);
    try {
      gateway.bind(transport, router);
    } catch (RuntimeException | InterruptedException e) {
      gateway.stopNow();
      throw e;
    }
    log.info(
        "portcullis listening on {} (admin {}, transport {}, {} worker threads)",
        gateway.address,
        gateway.adminAddress,
        transport.name(),
        config.server().effectiveWorkerThreads());
    return gateway;
  }

  private static void closeAll(List<? extends AutoCloseable> modules) {
    for (AutoCloseable module : modules) {
      try {
        module.close();
      } catch (Exception e) {
        log.warn("closing {} failed", module.getClass().getSimpleName(), e);
      }
    }
  }

  private void bind(Transport transport, Router router) throws InterruptedException {
    ServerConfig server = config.server();
    HealthEndpoints.register(admin, state, pools);
    if (identityTokens != null) {
      JwksEndpoint.register(admin, identityTokens);
    }
    observability.registerAdmin(admin);
    for (AdminModule module : adminModules) {
      module.register(admin, observability.auditSink());
    }
    observability.registerEngineGauges(state, pools, workerGroup);
    adminAddress =
        bindOrExplain(
            "admin",
            config.admin().address(),
            config.admin().port(),
            () ->
                admin.bind(
                    adminGroup,
                    transport.serverChannel(),
                    config.admin().address(),
                    config.admin().port()));
    ForwardingContext context =
        ForwardingContext.create(router, pools, server, state, observability);
    if (server.tls().enabled()) {
      try {
        serverTls = ReloadingServerTls.start(server.tls(), server.http2());
      } catch (IOException e) {
        throw new IllegalStateException(
            "server.tls: " + e.getMessage() + " (" + rootCause(e) + ")", e);
      }
      context = context.withScheme("https");
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptGroup, workerGroup)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(new DownstreamChannelInitializer(context, serverTls));
    address =
        bindOrExplain(
            "server",
            server.address(),
            server.port(),
            () -> {
              serverChannel = bootstrap.bind(server.address(), server.port()).sync().channel();
              return (InetSocketAddress) serverChannel.localAddress();
            });
    state.markReady();
  }

  /** The innermost cause's type and message: for a file, says what is wrong without its text. */
  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }

  private interface Binding {
    InetSocketAddress bind() throws InterruptedException;
  }

  private static InetSocketAddress bindOrExplain(
      String section, String host, int port, Binding binding) throws InterruptedException {
    try {
      return binding.bind();
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      String message = String.valueOf(e.getMessage());
      // Epoll reports EADDRINUSE as its own exception type, NIO as a BindException.
      String reason =
          e instanceof BindException || message.contains("Address already in use")
              ? "address already in use"
              : message;
      throw new IllegalStateException(
          section + ": cannot listen on " + host + ":" + port + " (" + reason + ")", e);
    }
  }

  /** The bound proxy address (the real port when the configuration asked for port 0). */
  public InetSocketAddress address() {
    return address;
  }

  /**
   * Signs the identity tokens sent to backends; its keys are served at {@link JwksEndpoint#PATH} on
   * the admin listener. Null when {@code auth.jwt.identity_token.enabled} is false.
   */
  public IdentityTokenIssuer identityTokens() {
    return identityTokens;
  }

  /** The socket transport the event loops run on: io_uring, epoll or nio. */
  public String transportName() {
    return transportName;
  }

  /** The bound admin address. */
  public InetSocketAddress adminAddress() {
    return adminAddress;
  }

  /**
   * The audit sink modules record security events to. It never blocks an event loop, and stays open
   * until the event loops and every module have stopped.
   */
  public AuditSink auditSink() {
    return observability.auditSink();
  }

  /** Exchanges in flight now. */
  public long inFlight() {
    return state.inFlight();
  }

  /**
   * Graceful shutdown: stop accepting, let in-flight requests finish for up to the configured drain
   * timeout ({@code /health/ready} answers 503 meanwhile), then close everything. Safe to call more
   * than once and from a shutdown hook.
   *
   * @return true when every in-flight request finished within the drain timeout
   */
  public boolean shutdownGracefully() {
    synchronized (this) {
      if (stopping) {
        awaitQuietly();
        return drainedCleanly;
      }
      stopping = true;
    }
    state.startDraining();
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    for (Channel channel : state.connections()) {
      // HTTP/1.1 closes once its exchange ends; HTTP/2 sends GOAWAY and closes after its streams.
      channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
    }
    long deadline = System.nanoTime() + config.server().drainTimeout().toNanos();
    while (state.inFlight() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long left = state.inFlight();
    drainedCleanly = left == 0;
    if (!drainedCleanly) {
      log.warn("drain timeout reached with {} request(s) in flight; closing them", left);
    }
    stopNow();
    return drainedCleanly;
  }

  private void stopNow() {
    state.startDraining();
    state.connections().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    pools.close();
    for (AutoCloseable extension : closeOnStop) {
      try {
        extension.close();
      } catch (Exception e) {
        log.warn("closing {} failed", extension.getClass().getSimpleName(), e);
      }
    }
    admin.close();
    if (serverTls != null) {
      serverTls.close();
    }
    Future<?> a = acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    Future<?> w = workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    Future<?> m = adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    a.awaitUninterruptibly();
    w.awaitUninterruptibly();
    m.awaitUninterruptibly();
    // After the loops and the modules: the last exchanges' lines and audit events are queued now.
    observability.close();
    terminated.countDown();
    log.info("portcullis stopped");
  }

  private void awaitQuietly() {
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks until the gateway has stopped (after {@link #shutdownGracefully()} or close). */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  @Override
  public void close() {
    shutdownGracefully();
  }
}
