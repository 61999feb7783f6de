package dev.portcullis.proxy.observe;

import dev.portcullis.core.audit.AuditSink;
import dev.portcullis.core.config.AccessLogConfig;
import dev.portcullis.core.config.AuditLogConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.admin.AdminServer;
import dev.portcullis.proxy.forward.GatewayState;
import dev.portcullis.proxy.upstream.Target;
import dev.portcullis.proxy.upstream.UpstreamPools;
import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * A gateway's observability, built from one configuration snapshot: its own Prometheus registry (so
 * two gateways in one JVM never share counters), the metrics, the JVM metrics and the access log.
 * The engine sees it only as a {@link GatewayObserver}.
 *
 * <p>The access log is fed when an exchange ends rather than by a connection handler, because the
 * route, target and upstream time it records are known only to the exchange; a route with {@code
 * access_log: false} is skipped there (its requests are still counted in the metrics).
 */
public final class Observability implements GatewayObserver, AutoCloseable {
  /**
   * 8 MiB of pending access log blocks at most (about a second of lines at 25,000 requests/s);
   * beyond that the writer is not keeping up anyway.
   */
  static final int ACCESS_LOG_QUEUE_BLOCKS = 128;

  /**
   * Audit events are rare next to requests; a few thousand absorb a burst of failed logins before
   * callers wait or spill.
   */
  static final int AUDIT_QUEUE_CAPACITY = 1 << 12;

  private final GatewayMetrics metrics;
  private final AccessLog accessLog;
  private final AuditLog auditLog;

  private Observability(GatewayMetrics metrics, AccessLog accessLog, AuditLog auditLog) {
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.auditLog = auditLog;
  }

  /**
   * Registers the metrics and opens and starts the access and audit logs.
   *
   * @throws IllegalStateException when a log or spool file cannot be opened (the message names the
   *     key and the path)
   */
  public static Observability create(GatewayConfig config) {
    PrometheusRegistry registry = new PrometheusRegistry();
    GatewayMetrics metrics = GatewayMetrics.create(registry, config.routes());
    JvmMetrics.builder().register(registry);
    AccessLogConfig logConfig = config.accessLog();
    AccessLog accessLog = null;
    if (logConfig.enabled()) {
      boolean toFile = logConfig.destination() == AccessLogConfig.Destination.FILE;
      accessLog =
          new AccessLog(
              open(logConfig),
              toFile,
              ACCESS_LOG_QUEUE_BLOCKS,
              AccessLog.BLOCK_BYTES,
              Clock.systemUTC(),
              metrics.accessLogDropped("queue_full"),
              metrics.accessLogDropped("write_error"));
      accessLog.start();
    }
    AuditLog auditLog;
    try {
      auditLog = openAuditLog(config.auditLog(), metrics);
    } catch (RuntimeException e) {
      if (accessLog != null) {
        accessLog.close();
      }
      throw e;
    }
    return new Observability(metrics, accessLog, auditLog);
  }

  private static AuditLog openAuditLog(AuditLogConfig config, GatewayMetrics metrics) {
    AuditLog.Counters counters = metrics.auditCounters();
    Path spoolPath = config.effectiveSpoolPath();
    AuditSpool spool;
    try {
      if (spoolPath == null) {
        spoolPath = Files.createTempFile("portcullis-audit-", ".spool");
      }
      spool = new AuditSpool(spoolPath, counters.spoolErrors());
    } catch (IOException | SecurityException e) {
      throw new IllegalStateException(
          "audit_log.spool_path: cannot open "
              + (spoolPath == null ? "a temporary file" : spoolPath)
              + " ("
              + e
              + ")",
          e);
    }
    boolean toFile = config.destination() == AuditLogConfig.Destination.FILE;
    Writer out;
    try {
      out =
          new OutputStreamWriter(toFile ? append(config.path()) : stdout(), StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      spool.close();
      throw new IllegalStateException(
          "audit_log.path: cannot open " + config.path() + " (" + e + ")", e);
    }
    AuditLog auditLog = new AuditLog(out, toFile, AUDIT_QUEUE_CAPACITY, spool, counters);
    auditLog.start();
    return auditLog;
  }

  private static OutputStream stdout() {
    // Straight to the descriptor: System.out's PrintStream locks on every call.
    return new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
  }

  private static OutputStream append(Path path) throws IOException {
    // 64 KiB: with the default 8 KiB, every 18 audit lines or so was a write system call on the
    // core the event loop shares. The access log's full blocks are as large and pass straight on.
    return new BufferedOutputStream(
        Files.newOutputStream(
            path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
        64 * 1024);
  }

  private static OutputStream open(AccessLogConfig config) {
    try {
      return config.destination() == AccessLogConfig.Destination.STDOUT
          ? stdout()
          : append(config.path());
    } catch (IOException | SecurityException e) {
      throw new IllegalStateException(
          "access_log.path: cannot open " + config.path() + " (" + e + ")", e);
    }
  }

  /** Where security events go; see {@link AuditLog}. */
  public AuditSink auditSink() {
    return auditLog;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Adds {@code GET /metrics} to the admin listener. */
  public void registerAdmin(AdminServer admin) {
    admin.register("/metrics", new MetricsEndpoint(metrics.registry()));
  }

  /** See {@link GatewayMetrics#registerEngineGauges}. */
  public void registerRateLimiting(dev.portcullis.ratelimit.filter.RateLimiting limiting) {
    metrics.registerRateLimiting(limiting);
  }

  public void registerAuthentication(dev.portcullis.auth.filter.Authentication auth) {
    metrics.registerAuthentication(auth);
  }

  /** See {@link GatewayMetrics#registerCache}. */
  public void registerCache(dev.portcullis.proxy.cache.ResponseCache cache) {
    metrics.registerCache(cache);
  }

  public void registerEngineGauges(
      GatewayState state, UpstreamPools pools, EventLoopGroup workerGroup) {
    metrics.registerEngineGauges(state, pools, workerGroup);
  }

  @Override
  public TargetObserver target(Target target) {
    return metrics.target(target);
  }

  @Override
  public void exchangeEnded(ExchangeRecord exchange) {
    metrics.exchangeEnded(exchange);
    if (accessLog != null && (exchange.route() == null || exchange.route().config().accessLog())) {
      accessLog.log(exchange);
    }
  }

  /**
   * Writes the queued access log lines and audit events and closes their files; call after the
   * event loops stop. The audit log closes last, so anything closed before it may still record.
   */
  @Override
  public void close() {
    try {
      if (accessLog != null) {
        accessLog.close();
      }
    } finally {
      auditLog.close();
    }
  }
}
