package dev.portcullis.proxy.observe;

import dev.portcullis.auth.filter.Authentication;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.route.Route;
import dev.portcullis.proxy.cache.ResponseCache;
import dev.portcullis.proxy.forward.GatewayState;
import dev.portcullis.proxy.upstream.BreakerState;
import dev.portcullis.proxy.upstream.Target;
import dev.portcullis.proxy.upstream.UpstreamPools;
import dev.portcullis.ratelimit.filter.RateLimiting;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Prometheus metric of the gateway, defined in one place.
 *
 * <p>Hot path: recording an ended exchange touches only label children resolved when the
 * configuration loads (per route, method and status class; per target), kept in arrays and found by
 * index, so it takes no lock and allocates nothing. The client's counters and classic histograms
 * are striped adders. Gauges that mirror engine state (in flight, open connections, allocator
 * memory, pending tasks) are callbacks read at scrape time and cost nothing per request.
 *
 * <p>Labels are bounded by the configuration: route and upstream names, target URLs, a fixed set of
 * methods and status classes. Never a raw path, a user or a key.
 */
public final class GatewayMetrics implements GatewayObserver {
  /** From 50 µs, so a sub-millisecond proxied request still lands in a bucket of its own. */
  static final double[] LATENCY_BUCKETS = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    2.5, 5, 10
  };

  /** Gateway overhead is expected in tens of microseconds; its buckets start there. */
  static final double[] OVERHEAD_BUCKETS = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1
  };

  static final String UNMATCHED_ROUTE = "unmatched";
  private static final String[] METHODS = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"
  };
  private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx", "none"};
  private static final int NO_STATUS = STATUS_CLASSES.length - 1;
  private static final double NANOS_PER_SECOND = 1e9;

  private final PrometheusRegistry registry;
  private final Counter requests;
  private final Histogram duration;
  private final Histogram overhead;
  private final Counter requestBytes;
  private final Counter responseBytes;
  private final Histogram connectTime;
  private final Histogram upstreamResponseTime;
  private final Counter connectErrors;
  private final Counter timeouts;
  private final Counter accessLogDropped;
  private final Counter auditEvents;
  private final Counter auditSpilled;
  private final Counter auditBlocked;
  private final Counter auditWriteErrors;
  private final Counter breakerTransitions;
  private final Counter ejections;
  private final Counter healthChecks;
  private final Counter retries;
  private final Map<String, RouteSeries> routes = new HashMap<>();
  private final RouteSeries unmatched;

  private GatewayMetrics(PrometheusRegistry registry, List<RouteConfig> routeConfigs) {
    this.registry = registry;
    requests =
        Counter.builder()
            .name("portcullis_requests_total")
            .help("Requests answered, by route, method and status class")
            .labelNames("route", "method", "status_class")
            .withoutExemplars()
            .register(registry);
    duration =
        Histogram.builder()
            .name("portcullis_request_duration_seconds")
            .help("From the request head to the last response byte written")
            .unit(Unit.SECONDS)
            .labelNames("route")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .withoutExemplars()
            .register(registry);
    overhead =
        Histogram.builder()
            .name("portcullis_gateway_overhead_seconds")
            .help("Request duration minus the time spent waiting for the upstream")
            .unit(Unit.SECONDS)
            .labelNames("route")
            .classicOnly()
            .classicUpperBounds(OVERHEAD_BUCKETS)
            .withoutExemplars()
            .register(registry);
    requestBytes =
        Counter.builder()
            .name("portcullis_request_body_bytes_total")
            .help("Request body bytes received from clients")
            .unit(Unit.BYTES)
            .labelNames("route")
            .withoutExemplars()
            .register(registry);
    responseBytes =
        Counter.builder()
            .name("portcullis_response_body_bytes_total")
            .help("Response body bytes sent to clients")
            .unit(Unit.BYTES)
            .labelNames("route")
            .withoutExemplars()
            .register(registry);
    connectTime =
        Histogram.builder()
            .name("portcullis_upstream_connect_seconds")
            .help("Time to open a new upstream connection (TCP and TLS)")
            .unit(Unit.SECONDS)
            .labelNames("upstream", "target")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .withoutExemplars()
            .register(registry);
    upstreamResponseTime =
        Histogram.builder()
            .name("portcullis_upstream_response_seconds")
            .help("From the request head written upstream to the response head received")
            .unit(Unit.SECONDS)
            .labelNames("upstream", "target")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .withoutExemplars()
            .register(registry);
    connectErrors =
        Counter.builder()
            .name("portcullis_upstream_connect_errors_total")
            .help("New upstream connections that failed: refused, unreachable or timed out")
            .labelNames("upstream", "target")
            .withoutExemplars()
            .register(registry);
    timeouts =
        Counter.builder()
            .name("portcullis_upstream_timeouts_total")
            .help(
                "Upstream timeouts: no response head (response) or no free connection (pool_wait)")
            .labelNames("upstream", "target", "phase")
            .withoutExemplars()
            .register(registry);
    accessLogDropped =
        Counter.builder()
            .name("portcullis_access_log_dropped_total")
            .help("Access log lines lost: the queue was full, or writing failed")
            .labelNames("reason")
            .withoutExemplars()
            .register(registry);
    auditEvents =
        Counter.builder()
            .name("portcullis_audit_events_total")
            .help("Audit events recorded")
            .withoutExemplars()
            .register(registry);
    auditSpilled =
        Counter.builder()
            .name("portcullis_audit_events_spilled_total")
            .help("Audit events an event loop found the queue full for, spooled to disk instead")
            .withoutExemplars()
            .register(registry);
    auditBlocked =
        Counter.builder()
            .name("portcullis_audit_blocked_total")
            .help("Audit events whose caller (not an event loop) waited for room in the queue")
            .withoutExemplars()
            .register(registry);
    auditWriteErrors =
        Counter.builder()
            .name("portcullis_audit_write_errors_total")
            .help("Failed audit writes, to the output (log) or to the overflow spool (spool)")
            .labelNames("file")
            .withoutExemplars()
            .register(registry);
    breakerTransitions =
        Counter.builder()
            .name("portcullis_upstream_circuit_breaker_transitions_total")
            .help("Circuit breaker state changes of a target, by the state entered")
            .labelNames("upstream", "target", "state")
            .withoutExemplars()
            .register(registry);
    ejections =
        Counter.builder()
            .name("portcullis_upstream_ejections_total")
            .help("Times passive outlier detection took a target out of balancing")
            .labelNames("upstream", "target")
            .withoutExemplars()
            .register(registry);
    healthChecks =
        Counter.builder()
            .name("portcullis_upstream_health_checks_total")
            .help("Active health checks of a target, by result (success or failure)")
            .labelNames("upstream", "target", "result")
            .withoutExemplars()
            .register(registry);
    retries =
        Counter.builder()
            .name("portcullis_upstream_retries_total")
            .help(
                "Failed calls to a target that were retried on another target (attempted) or"
                    + " not, because the retry budget was spent (budget_exhausted)")
            .labelNames("upstream", "target", "result")
            .withoutExemplars()
            .register(registry);
    for (RouteConfig route : routeConfigs) {
      routes.put(route.name(), new RouteSeries(route.name()));
    }
    unmatched = new RouteSeries(UNMATCHED_ROUTE);
  }

  /** The metrics of a gateway with these routes, registered in {@code registry}. */
  public static GatewayMetrics create(PrometheusRegistry registry, List<RouteConfig> routes) {
    return new GatewayMetrics(registry, routes);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The access log's drop counter for {@code reason} ({@code queue_full}, {@code write_error}). */
  CounterDataPoint accessLogDropped(String reason) {
    return accessLogDropped.labelValues(reason);
  }

  /** The audit log's counters. */
  AuditLog.Counters auditCounters() {
    return new AuditLog.Counters(
        auditEvents.labelValues(),
        auditSpilled.labelValues(),
        auditBlocked.labelValues(),
        auditWriteErrors.labelValues("log"),
        auditWriteErrors.labelValues("spool"));
  }

  @Override
  public TargetObserver target(Target target) {
    return new TargetSeries(target.upstream(), target.toString());
  }

  @Override
  public void exchangeEnded(ExchangeRecord exchange) {
    Route route = exchange.route();
    RouteSeries series = route == null ? unmatched : routes.getOrDefault(route.name(), unmatched);
    series
        .requests[
        methodIndex(exchange.method()) * STATUS_CLASSES.length
            + statusClassIndex(exchange.status())]
        .inc();
    long nanos = exchange.durationNanos();
    series.duration.observe(nanos / NANOS_PER_SECOND);
    series.overhead.observe(Math.max(0, nanos - exchange.upstreamNanos()) / NANOS_PER_SECOND);
    long in = exchange.requestBodyBytes();
    if (in > 0) {
      series.requestBytes.inc(in);
    }
    long out = exchange.responseBodyBytes();
    if (out > 0) {
      series.responseBytes.inc(out);
    }
  }

  /**
   * Gauges read from the engine's own state at scrape time: requests in flight, open connections
   * per target, the allocator's memory and each worker loop's pending tasks.
   */
  /** Rate-limit decisions by policy and result, Redis errors, fail-open events, breaker state. */
  public void registerRateLimiting(RateLimiting limiting) {
    Histogram redisDuration =
        Histogram.builder()
            .name("portcullis_ratelimit_redis_duration_seconds")
            .help("Duration of limiter calls to Redis, failures included")
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(OVERHEAD_BUCKETS)
            .withoutExemplars()
            .register(registry);
    limiting.observeRedisLatency(nanos -> redisDuration.observe(nanos / NANOS_PER_SECOND));
    CounterWithCallback.builder()
        .name("portcullis_ratelimit_decisions_total")
        .help("Rate-limit decisions, by policy and result")
        .labelNames("policy", "result")
        .callback(
            callback ->
                limiting
                    .decisionsByPolicy()
                    .forEach(
                        (policy, counts) -> {
                          callback.call(counts[0], policy, "admitted");
                          callback.call(counts[1], policy, "refused");
                        }))
        .register(registry);
    CounterWithCallback.builder()
        .name("portcullis_ratelimit_fail_open_total")
        .help("Cluster decisions taken by the local limiter because Redis failed")
        .callback(callback -> callback.call(limiting.failOpenDecisions()))
        .register(registry);
    CounterWithCallback.builder()
        .name("portcullis_ratelimit_redis_errors_total")
        .help("Limiter calls to Redis that failed, timed out or were skipped by the breaker")
        .callback(callback -> callback.call(limiting.redisErrors()))
        .register(registry);
    CounterWithCallback.builder()
        .name("portcullis_ratelimit_precheck_refusals_total")
        .help("Requests refused locally after a recent Redis refusal, without a Redis call")
        .callback(callback -> callback.call(limiting.precheckRefusals()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("portcullis_ratelimit_redis_breaker_open")
        .help("1 while the Redis circuit breaker is open")
        .callback(callback -> callback.call(limiting.redisBreakerOpen() ? 1 : 0))
        .register(registry);
  }

  public void registerAuthentication(Authentication auth) {
    CounterWithCallback.builder()
        .name("portcullis_auth_attempts_total")
        .help(
            "Authentication attempts by credential method (api_key, jwt, none) and result"
                + " (success, failure, unavailable, blocked)")
        .labelNames("method", "result")
        .callback(
            callback ->
                auth.attemptsByMethod()
                    .forEach(
                        (method, counts) -> {
                          callback.call(counts[0], method, "success");
                          callback.call(counts[1], method, "failure");
                          callback.call(counts[2], method, "unavailable");
                          callback.call(counts[3], method, "blocked");
                        }))
        .register(registry);
    CounterWithCallback.builder()
        .name("portcullis_auth_permission_denials_total")
        .help("Authenticated requests refused for lacking the permission their route needs")
        .callback(callback -> callback.call(auth.permissionDenials()))
        .register(registry);
    if (auth.identityTokenCounts() == null) {
      return;
    }
    CounterWithCallback.builder()
        .name("portcullis_identity_token_signatures_total")
        .help("Identity tokens signed for backends (RS256, on the signing pool)")
        .callback(callback -> callback.call(auth.identityTokenCounts()[0]))
        .register(registry);
    CounterWithCallback.builder()
        .name("portcullis_identity_token_waits_total")
        .help(
            "Requests that waited for their identity token to be signed (a principal's first"
                + " request, or one whose token had gone stale)")
        .callback(callback -> callback.call(auth.identityTokenCounts()[1]))
        .register(registry);
    GaugeWithCallback.builder()
        .name("portcullis_identity_token_signing_queue")
        .help("Identity-token signatures waiting for the signing pool")
        .callback(callback -> callback.call(auth.identityTokenCounts()[2]))
        .register(registry);
  }

  /**
   * The response cache: responses of cached routes by result (what {@code X-Cache} said), and the
   * in-memory entries, their weight and evictions, all read at scrape time.
   */
  public void registerCache(ResponseCache cache) {
    CounterWithCallback.builder()
        .name("portcullis_cache_requests_total")
        .help("Responses of cached routes, by route and result (hit, miss, stale, bypass)")
        .labelNames("route", "result")
        .callback(
            callback ->
                cache.forEachResult((route, result, count) -> callback.call(count, route, result)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("portcullis_cache_entries")
        .help("Responses held in the in-memory cache")
        .callback(callback -> callback.call(cache.entries()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("portcullis_cache_size_bytes")
        .help("What the in-memory cache entries weigh, bounded by cache.max_bytes")
        .unit(Unit.BYTES)
        .callback(callback -> callback.call(cache.bytes()))
        .register(registry);
    CounterWithCallback.builder()
        .name("portcullis_cache_evictions_total")
        .help("Entries evicted to keep the in-memory cache within cache.max_bytes")
        .callback(callback -> callback.call(cache.evictions()))
        .register(registry);
  }

  private void perTargetGauge(
      UpstreamPools pools,
      String name,
      String help,
      java.util.function.ToIntFunction<UpstreamPools.TargetSnapshot> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("upstream", "target")
        .callback(
            callback ->
                pools
                    .targets()
                    .forEach(
                        (upstream, targets) -> {
                          for (UpstreamPools.TargetSnapshot t : targets) {
                            callback.call(value.applyAsInt(t), upstream, t.target().toString());
                          }
                        }))
        .register(registry);
  }

  public void registerEngineGauges(
      GatewayState state, UpstreamPools pools, EventLoopGroup workerGroup) {
    GaugeWithCallback.builder()
        .name("portcullis_requests_in_flight")
        .help("Requests between their head arriving and their response ending")
        .callback(callback -> callback.call(state.inFlight()))
        .register(registry);
    perTargetGauge(
        pools,
        "portcullis_upstream_connections_open",
        "Open connections to a target, across all event loops",
        UpstreamPools.TargetSnapshot::openConnections);
    perTargetGauge(
        pools,
        "portcullis_upstream_connections_idle",
        "Pooled keep-alive connections to a target waiting for a request, across all loops",
        UpstreamPools.TargetSnapshot::idleConnections);
    perTargetGauge(
        pools,
        "portcullis_upstream_healthy",
        "1 while a target passes its active health checks (always 1 when they are off)",
        t -> t.health().healthy() ? 1 : 0);
    perTargetGauge(
        pools,
        "portcullis_upstream_ejected",
        "1 while passive outlier detection keeps a target out of balancing",
        t -> t.health().ejectedForNanos(System.nanoTime()) > 0 ? 1 : 0);
    GaugeWithCallback.builder()
        .name("portcullis_upstream_circuit_breaker_state")
        .help("1 for the state a target's circuit breaker is in (closed, open, half_open)")
        .labelNames("upstream", "target", "state")
        .callback(
            callback ->
                pools
                    .targets()
                    .forEach(
                        (upstream, targets) -> {
                          for (UpstreamPools.TargetSnapshot t : targets) {
                            BreakerState current = t.health().breakerState();
                            for (BreakerState each : BreakerState.values()) {
                              callback.call(
                                  each == current ? 1 : 0,
                                  upstream,
                                  t.target().toString(),
                                  each.label());
                            }
                          }
                        }))
        .register(registry);
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
      ByteBufAllocatorMetric metric = provider.metric();
      GaugeWithCallback.builder()
          .name("portcullis_netty_allocator_used_bytes")
          .help("Memory held by Netty's default (pooled) buffer allocator")
          .unit(Unit.BYTES)
          .labelNames("area")
          .callback(
              callback -> {
                callback.call(metric.usedDirectMemory(), "direct");
                callback.call(metric.usedHeapMemory(), "heap");
              })
          .register(registry);
    }
    List<SingleThreadEventExecutor> loops = new ArrayList<>();
    for (EventExecutor executor : workerGroup) {
      if (executor instanceof SingleThreadEventExecutor loop) {
        loops.add(loop);
      }
    }
    GaugeWithCallback.builder()
        .name("portcullis_event_loop_pending_tasks")
        .help("Tasks queued on a worker event loop")
        .labelNames("loop")
        .callback(
            callback -> {
              for (int i = 0; i < loops.size(); i++) {
                callback.call(loops.get(i).pendingTasks(), Integer.toString(i));
              }
            })
        .register(registry);
  }

  static int methodIndex(HttpMethod method) {
    // The decoder hands out these constants for the standard methods, so identity is enough.
    if (method == HttpMethod.GET) {
      return 0;
    } else if (method == HttpMethod.HEAD) {
      return 1;
    } else if (method == HttpMethod.POST) {
      return 2;
    } else if (method == HttpMethod.PUT) {
      return 3;
    } else if (method == HttpMethod.PATCH) {
      return 4;
    } else if (method == HttpMethod.DELETE) {
      return 5;
    } else if (method == HttpMethod.OPTIONS) {
      return 6;
    }
    return METHODS.length - 1;
  }

  static int statusClassIndex(int status) {
    return status >= 100 && status < 600 ? status / 100 - 1 : NO_STATUS;
  }

  /** One route's children, resolved once so recording is array indexing. */
  private final class RouteSeries {
    final CounterDataPoint[] requests =
        new CounterDataPoint[METHODS.length * STATUS_CLASSES.length];
    final DistributionDataPoint duration;
    final DistributionDataPoint overhead;
    final CounterDataPoint requestBytes;
    final CounterDataPoint responseBytes;

    RouteSeries(String route) {
      for (int m = 0; m < METHODS.length; m++) {
        for (int c = 0; c < STATUS_CLASSES.length; c++) {
          requests[m * STATUS_CLASSES.length + c] =
              GatewayMetrics.this.requests.labelValues(route, METHODS[m], STATUS_CLASSES[c]);
        }
      }
      duration = GatewayMetrics.this.duration.labelValues(route);
      overhead = GatewayMetrics.this.overhead.labelValues(route);
      requestBytes = GatewayMetrics.this.requestBytes.labelValues(route);
      responseBytes = GatewayMetrics.this.responseBytes.labelValues(route);
    }
  }

  /** One target's children; the engine holds it in the target's pools. */
  private final class TargetSeries implements TargetObserver {
    final DistributionDataPoint connect;
    final DistributionDataPoint response;
    final CounterDataPoint connectErrors;
    final CounterDataPoint responseTimeouts;
    final CounterDataPoint poolWaitTimeouts;
    final CounterDataPoint[] transitions = new CounterDataPoint[BreakerState.values().length];
    final CounterDataPoint ejected;
    final CounterDataPoint checksPassed;
    final CounterDataPoint checksFailed;
    final CounterDataPoint retried;
    final CounterDataPoint retryBudgetExhausted;

    TargetSeries(String upstream, String target) {
      for (BreakerState state : BreakerState.values()) {
        transitions[state.ordinal()] =
            breakerTransitions.labelValues(upstream, target, state.label());
      }
      ejected = ejections.labelValues(upstream, target);
      checksPassed = healthChecks.labelValues(upstream, target, "success");
      checksFailed = healthChecks.labelValues(upstream, target, "failure");
      retried = retries.labelValues(upstream, target, "attempted");
      retryBudgetExhausted = retries.labelValues(upstream, target, "budget_exhausted");
      connect = connectTime.labelValues(upstream, target);
      response = upstreamResponseTime.labelValues(upstream, target);
      connectErrors = GatewayMetrics.this.connectErrors.labelValues(upstream, target);
      responseTimeouts = timeouts.labelValues(upstream, target, "response");
      poolWaitTimeouts = timeouts.labelValues(upstream, target, "pool_wait");
    }

    @Override
    public void connected(long connectNanos) {
      connect.observe(connectNanos / NANOS_PER_SECOND);
    }

    @Override
    public void connectFailed() {
      connectErrors.inc();
    }

    @Override
    public void responseHeadReceived(long nanosSinceSent) {
      response.observe(nanosSinceSent / NANOS_PER_SECOND);
    }

    @Override
    public void responseTimedOut() {
      responseTimeouts.inc();
    }

    @Override
    public void poolWaitTimedOut() {
      poolWaitTimeouts.inc();
    }

    @Override
    public void breakerTransitioned(BreakerState to) {
      transitions[to.ordinal()].inc();
    }

    @Override
    public void ejected() {
      ejected.inc();
    }

    @Override
    public void healthChecked(boolean healthy) {
      (healthy ? checksPassed : checksFailed).inc();
    }

    @Override
    public void retried() {
      retried.inc();
    }

    @Override
    public void retryBudgetExhausted() {
      retryBudgetExhausted.inc();
    }
  }
}
