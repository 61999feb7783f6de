package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.proxy.observe.GatewayObserver;
import dev.portcullis.proxy.observe.TargetObserver;
import dev.portcullis.proxy.tls.TlsContexts;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every upstream pool, per event loop: an exchange asks {@link #forLoop} once per downstream
 * connection and from then on touches only its own loop's pools, so forwarding never hands work to
 * another thread. Built once at start-up; the maps are read-only afterwards.
 */
public final class UpstreamPools {
  private static final Logger log = LoggerFactory.getLogger(UpstreamPools.class);
  private final Map<EventLoop, Map<String, LoopUpstream>> byLoop;
  private final Map<String, List<TargetSnapshot>> targetsByUpstream;
  private final List<TargetPool> allPools;
  private final List<HealthChecker> healthCheckers;

  private UpstreamPools(
      Map<EventLoop, Map<String, LoopUpstream>> byLoop,
      Map<String, List<TargetSnapshot>> targetsByUpstream,
      List<TargetPool> allPools,
      List<HealthChecker> healthCheckers) {
    this.byLoop = byLoop;
    this.targetsByUpstream = targetsByUpstream;
    this.allPools = allPools;
    this.healthCheckers = healthCheckers;
  }

  public static UpstreamPools create(
      Map<String, UpstreamConfig> upstreams,
      EventLoopGroup group,
      Class<? extends Channel> channelType) {
    return create(upstreams, group, channelType, GatewayObserver.NOOP);
  }

  /**
   * Pools whose connections report to {@code observer}'s target observers. Health checks of pools
   * that enable them start now, spread over the loops.
   */
  public static UpstreamPools create(
      Map<String, UpstreamConfig> upstreams,
      EventLoopGroup group,
      Class<? extends Channel> channelType,
      GatewayObserver observer) {
    List<EventLoop> loops = new ArrayList<>();
    for (EventExecutor executor : group) {
      loops.add((EventLoop) executor);
    }
    Map<EventLoop, Map<String, LoopUpstream>> byLoop = new IdentityHashMap<>();
    for (EventLoop loop : loops) {
      byLoop.put(loop, new HashMap<>());
    }
    Map<String, List<TargetSnapshot>> snapshots = new LinkedHashMap<>();
    List<TargetPool> all = new ArrayList<>();
    List<HealthChecker> checkers = new ArrayList<>();
    long origin = System.nanoTime();
    for (UpstreamConfig upstream : upstreams.values()) {
      List<TargetSnapshot> upstreamSnapshots = new ArrayList<>();
      SslContext tls = null;
      TargetPool[][] perLoop = new TargetPool[loops.size()][upstream.targets().size()];
      EjectionGroup ejections =
          new EjectionGroup(
              upstream.targets().size(), upstream.outlierDetection().maxEjectionPercent());
      Ejection[] members = new Ejection[upstream.targets().size()];
      for (int t = 0; t < upstream.targets().size(); t++) {
        URI uri = upstream.targets().get(t);
        Target target = Target.of(upstream.name(), uri);
        if (target.tls() && tls == null) {
          tls = clientTls(upstream);
        }
        TargetBudget budget = new TargetBudget(upstream.maxConnectionsPerTarget());
        TargetObserver targetObserver = observer.target(target);
        TargetHealth health = new TargetHealth(target, upstream, ejections, targetObserver, origin);
        members[t] = health.ejection();
        TargetPool[] poolsOfTarget = new TargetPool[loops.size()];
        for (int l = 0; l < loops.size(); l++) {
          TargetPool pool =
              new TargetPool(
                  loops.get(l),
                  target,
                  upstream,
                  budget,
                  channelType,
                  target.tls() ? tls : null,
                  targetObserver,
                  health);
          poolsOfTarget[l] = pool;
          perLoop[l][t] = pool;
          all.add(pool);
        }
        budget.register(poolsOfTarget);
        upstreamSnapshots.add(new TargetSnapshot(target, budget, health));
        if (upstream.healthCheck().enabled()) {
          checkers.add(
              new HealthChecker(
                  target,
                  upstream.healthCheck(),
                  loops.get(checkers.size() % loops.size()),
                  channelType,
                  target.tls() ? tls : null,
                  health,
                  targetObserver));
        }
      }
      ejections.register(members);
      for (int l = 0; l < loops.size(); l++) {
        byLoop
            .get(loops.get(l))
            .put(
                upstream.name(),
                new LoopUpstream(
                    upstream, perLoop[l], new RetryPolicy(upstream.retry(), loops.size())));
      }
      snapshots.put(upstream.name(), List.copyOf(upstreamSnapshots));
    }
    for (HealthChecker checker : checkers) {
      checker.start();
    }
    return new UpstreamPools(byLoop, snapshots, all, List.copyOf(checkers));
  }

  private static SslContext clientTls(UpstreamConfig upstream) {
    if (upstream.tls().insecureSkipVerify()) {
      log.warn(
          "upstreams.{}.tls.insecure_skip_verify is true: the certificates of its https targets"
              + " are NOT verified, anyone on the network path can impersonate them",
          upstream.name());
    }
    try {
      return TlsContexts.upstream(upstream.tls());
    } catch (IOException e) {
      throw new IllegalStateException(
          "upstreams." + upstream.name() + ".tls: " + e.getMessage(), e);
    }
  }

  /** The pools of one event loop, keyed by upstream name. Call once per downstream channel. */
  public Map<String, LoopUpstream> forLoop(EventLoop loop) {
    Map<String, LoopUpstream> pools = byLoop.get(loop);
    if (pools == null) {
      throw new IllegalArgumentException("event loop is not one of the gateway's workers");
    }
    return pools;
  }

  /** Upstream name to its targets with their open connection counts, for the admin API. */
  public Map<String, List<TargetSnapshot>> targets() {
    return targetsByUpstream;
  }

  /** Closes idle connections and fails waiting requests on every loop, and waits for that. */
  public void close() {
    for (HealthChecker checker : healthCheckers) {
      checker.stop();
    }
    List<Future<?>> done = new ArrayList<>();
    for (TargetPool pool : allPools) {
      if (!pool.executor().isShuttingDown()) {
        done.add(pool.executor().submit(pool::close));
      }
    }
    for (Future<?> future : done) {
      future.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** A target, its connection counts and its health across all loops, for the admin API. */
  public static final class TargetSnapshot {
    private final Target target;
    private final TargetBudget budget;
    private final TargetHealth health;

    TargetSnapshot(Target target, TargetBudget budget, TargetHealth health) {
      this.target = target;
      this.budget = budget;
      this.health = health;
    }

    public Target target() {
      return target;
    }

    /** Breaker state, ejection and health-check verdict (read-only use). */
    public TargetHealth health() {
      return health;
    }

    public int openConnections() {
      return budget.open();
    }

    /** Idle pooled connections across all loops (each loop's count is published as it changes). */
    public int idleConnections() {
      return budget.idle();
    }
  }
}
