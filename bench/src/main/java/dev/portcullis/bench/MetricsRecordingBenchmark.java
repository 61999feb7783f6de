package dev.portcullis.bench;

import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.pipeline.ExchangeKey;
import dev.portcullis.core.route.Route;
import dev.portcullis.core.route.Router;
import dev.portcullis.proxy.observe.ExchangeRecord;
import dev.portcullis.proxy.observe.GatewayMetrics;
import dev.portcullis.proxy.observe.TargetObserver;
import dev.portcullis.proxy.upstream.Target;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of recording one proxied request's metrics: what {@code ProxyExchange} pays per request
 * (the upstream response time of its target, then the route's counter, duration and overhead
 * histograms and byte counters). The metrics are shared, as the event loops share them; the
 * two-thread variant shows what contention on the striped adders adds.
 *
 * <p>Run with JMH on the bench module's classpath: {@code org.openjdk.jmh.Main MetricsRecording}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsRecordingBenchmark {
  /** Durations spread over the buckets, so the bucket search is not always the same. */
  private static final long[] DURATIONS = {
    180_000, 420_000, 950_000, 2_300_000, 12_000_000, 75_000, 640_000, 31_000_000
  };

  private GatewayMetrics metrics;
  private TargetObserver target;
  private Record[] records;

  @Setup
  public void setUp() {
    GatewayConfig config = GatewayConfig.defaults();
    metrics = GatewayMetrics.create(new PrometheusRegistry(), config.routes());
    Route route = Router.compile(config, List.of()).routes().get(0);
    Target jira = Target.of("jira", URI.create("http://10.0.0.5:8080"));
    target = metrics.target(jira);
    records = new Record[DURATIONS.length];
    for (int i = 0; i < records.length; i++) {
      records[i] = new Record(route, jira, DURATIONS[i]);
    }
  }

  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  public void recordOneRequest(Cursor cursor) {
    Record record = records[cursor.next];
    cursor.next = (cursor.next + 1) & (DURATIONS.length - 1);
    target.responseHeadReceived(record.upstreamNanos - 20_000);
    metrics.exchangeEnded(record);
  }

  @Benchmark
  @Threads(2)
  public void recordOneRequestTwoLoops(Cursor cursor) {
    recordOneRequest(cursor);
  }

  /** A finished exchange with fixed values; nothing in it is computed per call. */
  private static final class Record implements ExchangeRecord {
    private final Route route;
    private final Target target;
    private final long duration;
    private final long upstreamNanos;
    private final HttpHeaders headers = new DefaultHttpHeaders();
    private final InetSocketAddress client = new InetSocketAddress("10.1.2.3", 51000);

    Record(Route route, Target target, long duration) {
      this.route = route;
      this.target = target;
      this.duration = duration;
      this.upstreamNanos = duration - 60_000;
    }

    @Override
    public int status() {
      return 200;
    }

    @Override
    public long durationNanos() {
      return duration;
    }

    @Override
    public long upstreamNanos() {
      return upstreamNanos;
    }

    @Override
    public long requestBodyBytes() {
      return 0;
    }

    @Override
    public long responseBodyBytes() {
      return 2_048;
    }

    @Override
    public Target upstreamTarget() {
      return target;
    }

    @Override
    public String requestId() {
      return "bench";
    }

    @Override
    public String traceId() {
      return "4bf92f3577b34da6a3ce929d0e0e4736";
    }

    @Override
    public long startNanos() {
      return 0;
    }

    @Override
    public HttpMethod method() {
      return HttpMethod.GET;
    }

    @Override
    public String path() {
      return "/rest/api/3/issue/DEMO-1";
    }

    @Override
    public String query() {
      return null;
    }

    @Override
    public HttpHeaders requestHeaders() {
      return headers;
    }

    @Override
    public InetSocketAddress clientAddress() {
      return client;
    }

    @Override
    public java.util.concurrent.Executor executor() {
      return Runnable::run;
    }

    @Override
    public Route route() {
      return route;
    }

    @Override
    public <T> T get(ExchangeKey<T> key) {
      return null;
    }

    @Override
    public <T> void set(ExchangeKey<T> key, T value) {}
  }
}
