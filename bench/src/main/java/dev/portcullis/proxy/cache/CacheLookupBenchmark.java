package dev.portcullis.proxy.cache;

import dev.portcullis.core.config.CacheConfig;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.core.pipeline.ExchangeKey;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.ResponseObserver;
import dev.portcullis.core.route.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cache's hit path as a request filter runs it on the event loop: build the key (path, query,
 * route, principal with its scopes and permissions), look it up in the Caffeine L1, check
 * freshness, answer. Entries are stored through the real miss path (observer head and body) first;
 * bodies are 1 KiB. Lives in the cache's package because the classes it measures are
 * package-private there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CacheLookupBenchmark {
  @Param({"100", "10000", "100000"})
  int entries;

  private ResponseCache cache;
  private RequestFilter filter;
  private BenchExchange[] exchanges;
  private String[] keys;
  private CachedEntry[] written;
  private int next;

  @Setup(Level.Trial)
  public void fill() {
    CacheConfig config =
        new CacheConfig(
            256L * 1024 * 1024,
            Duration.ofSeconds(5),
            null,
            List.of(
                new CacheConfig.Policy(
                    "fields",
                    "jira-rest",
                    List.of(),
                    Set.of("GET", "HEAD"),
                    Duration.ofHours(1),
                    true,
                    CacheConfig.Share.PRINCIPAL,
                    1024 * 1024,
                    Duration.ZERO,
                    Duration.ZERO,
                    1)));
    cache = ResponseCache.create(config);
    filter =
        cache
            .filterFactory()
            .requestFilters(RouteConfig.glob("jira-rest", "/rest/api/**", "jira"))
            .get(0);
    Principal principal =
        new Principal(
                "5b10ac8d82e05b22cc7d4ef5",
                "acme",
                "api_key",
                Set.of("read:jira-work", "read:jira-user"),
                "key-1",
                "user",
                null,
                null)
            .withPermissions(Set.of("jira:read", "jira:browse"));
    byte[] body = new byte[1024];
    Arrays.fill(body, (byte) 'x');
    exchanges = new BenchExchange[entries];
    keys = new String[entries];
    written = new CachedEntry[entries];
    for (int i = 0; i < entries; i++) {
      BenchExchange exchange =
          new BenchExchange("/rest/api/3/project/P" + i, "expand=lead", principal);
      FilterDecision miss = filter.onRequest(exchange);
      if (miss != FilterDecision.CONTINUE) {
        throw new IllegalStateException("expected a miss, got " + miss);
      }
      CacheExchange state = exchange.get(CacheExchange.KEY);
      HttpHeaders headers = new DefaultHttpHeaders().add("content-type", "application/json");
      headers.add("content-length", body.length);
      state.onResponseHead(HttpResponseStatus.OK, headers, true);
      state.onResponseContent(Unpooled.wrappedBuffer(body), true);
      state.onResponseEnd(true);
      keys[i] = state.key();
      written[i] = cache.lookup(keys[i], exchange.headers);
      exchange.reset();
      exchanges[i] = exchange;
    }
    FilterDecision first = hit();
    if (!(first instanceof FilterDecision.Respond)) {
      throw new IllegalStateException("expected a hit, got " + first);
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    cache.close();
  }

  /** One request through the filter: key, lookup, freshness, the answer. */
  @Benchmark
  public FilterDecision hit() {
    BenchExchange exchange = exchanges[next++ % entries];
    exchange.reset();
    return filter.onRequest(exchange);
  }

  /** The Caffeine lookup alone, with a prebuilt key. */
  @Benchmark
  public CachedEntry storeLookupOnly() {
    int i = next++ % entries;
    return cache.lookup(keys[i], exchanges[i].headers);
  }

  /**
   * A successful write's invalidation on the event loop (the resource, what lies below it and its
   * parent) among {@code entries} cached ones: the written resource is cached again first, so each
   * call drops one entry, as a read-then-update cycle of one Jira issue does.
   */
  @Benchmark
  public void invalidateAfterWrite() {
    int i = next++ % entries;
    cache.storeLocal(keys[i], written[i]);
    cache.invalidate(exchanges[i].path(), 1);
  }

  /** The smallest {@link Exchange} the filter needs. */
  static final class BenchExchange implements Exchange {
    final HttpHeaders headers =
        new DefaultHttpHeaders()
            .add("host", "jira.example.com")
            .add("accept", "application/json")
            .add("user-agent", "jira-cli/1.5");
    private final String path;
    private final String query;
    private final Principal principal;
    private Object[] attributes = new Object[ExchangeKey.count() + 4];

    BenchExchange(String path, String query, Principal principal) {
      this.path = path;
      this.query = query;
      this.principal = principal;
      set(Principal.KEY, principal);
    }

    void reset() {
      attributes[CacheExchange.KEY.index()] = null;
      attributes[ResponseObserver.KEY.index()] = null;
    }

    @Override
    public String requestId() {
      return "bench";
    }

    @Override
    public long startNanos() {
      return 0;
    }

    @Override
    public String traceId() {
      return "0af7651916cd43dd8448eb211c80319c";
    }

    @Override
    public HttpMethod method() {
      return HttpMethod.GET;
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public String query() {
      return query;
    }

    @Override
    public HttpHeaders requestHeaders() {
      return headers;
    }

    @Override
    public InetSocketAddress clientAddress() {
      return null;
    }

    @Override
    public java.util.concurrent.Executor executor() {
      return Runnable::run;
    }

    @Override
    public Route route() {
      return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(ExchangeKey<T> key) {
      return key.index() < attributes.length ? (T) attributes[key.index()] : null;
    }

    @Override
    public <T> void set(ExchangeKey<T> key, T value) {
      if (key.index() >= attributes.length) {
        attributes = Arrays.copyOf(attributes, key.index() + 1);
      }
      attributes[key.index()] = value;
    }
  }
}
