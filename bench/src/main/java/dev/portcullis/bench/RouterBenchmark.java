package dev.portcullis.bench;

import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.route.PathNormalizer;
import dev.portcullis.core.route.Route;
import dev.portcullis.core.route.Router;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Choosing a route over the built-in Atlassian table (first match wins, prefix patterns compiled to
 * plain string checks), for the first route, the last one, and a miss; and normalising an already
 * canonical path (the common case, returned as the same instance) and a messy one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RouterBenchmark {
  private Router router;

  @Setup
  public void setUp() {
    router = Router.compile(GatewayConfig.defaults(), List.of());
  }

  @Benchmark
  public Route firstRoute() {
    return router.match("jira.example.com", HttpMethod.GET, "/rest/api/3/issue/DEMO-1");
  }

  @Benchmark
  public Route lastRoute() {
    return router.match("jira.example.com", HttpMethod.GET, "/wiki/rest/api/content/65537");
  }

  @Benchmark
  public Route noRoute() {
    return router.match("jira.example.com", HttpMethod.GET, "/admin/secrets");
  }

  @Benchmark
  public String normaliseCanonicalPath() {
    return PathNormalizer.normalize("/rest/api/3/issue/DEMO-1");
  }

  @Benchmark
  public String normaliseMessyPath() {
    return PathNormalizer.normalize("/rest//api/3/./issue/%44EMO-1");
  }
}
