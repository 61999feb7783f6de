package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.CircuitBreakerConfig;
import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.proxy.observe.TargetObserver;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every proxied request pays for a target's resilience state: a permit from its {@link
 * TargetHealth} (health verdict, ejection, circuit breaker) and the outcome recorded into the
 * breaker's sliding window, apart from the clock read the exchange makes anyway ({@link #clockOnly}
 * shows that one). Run with {@code -t 1,2,8}: the state is shared by every event loop, so
 * contention on the window is what this measures. Lives in the engine's package because the classes
 * it measures are package-private there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TargetHealthBenchmark {
  /** {@code 10s}: the default time window; {@code 100}: a count window of 100 calls. */
  @Param({"10s", "100"})
  public String window;

  private TargetHealth health;

  @Setup
  public void setUp() {
    CircuitBreakerConfig.Window w =
        window.endsWith("s")
            ? CircuitBreakerConfig.Window.ofSpan(Duration.ofSeconds(10))
            : CircuitBreakerConfig.Window.ofCalls(Integer.parseInt(window));
    UpstreamConfig config =
        UpstreamConfig.withDefaults("jira", List.of(URI.create("http://10.0.0.5:8080")))
            .withResilience(
                new CircuitBreakerConfig(true, 50, 20, w, Duration.ofSeconds(30), 3),
                null,
                null,
                null);
    Target target = Target.of("jira", config.targets().get(0));
    EjectionGroup group = new EjectionGroup(1, 50);
    health = new TargetHealth(target, config, group, TargetObserver.NOOP, System.nanoTime());
    group.register(new Ejection[] {health.ejection()});
  }

  /** The clock read alone: the part of the cost the exchange pays anyway. */
  @Benchmark
  public long clockOnly() {
    return System.nanoTime();
  }

  /**
   * The exchange already reads the clock for its own timing and passes that reading in, so the
   * benchmark advances a per-thread time instead of paying for a clock read it would not add.
   */
  @State(Scope.Thread)
  public static class Time {
    long now = System.nanoTime();
  }

  @Benchmark
  public long acquireAndSucceed(Time time) {
    long now = time.now += 1_000;
    long permit = health.tryAcquire(now);
    health.succeeded(permit, now);
    return permit;
  }
}
