package dev.portcullis.proxy.forward;

import dev.portcullis.core.net.Cidr;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request header rewriting of the forwarding path: hop-by-hop stripping, the forwarding
 * headers, request id and trace context, on a typical Jira API request's headers. Lives in the
 * engine's package because the classes it measures are package-private there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HeaderRewriteBenchmark {
  private final ForwardedHeaders untrusted = new ForwardedHeaders(List.of());
  private final ForwardedHeaders behindLoadBalancer =
      new ForwardedHeaders(List.of(Cidr.parse("10.0.0.0/8")));
  private final InetSocketAddress client = new InetSocketAddress("203.0.113.7", 51234);
  private final InetSocketAddress loadBalancer = new InetSocketAddress("10.0.0.2", 40000);

  private static HttpHeaders typicalRequest() {
    return new DefaultHttpHeaders()
        .add("host", "jira.example.com")
        .add("user-agent", "jira-cli/1.5")
        .add("accept", "application/json")
        .add("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature")
        .add("connection", "keep-alive")
        .add("x-forwarded-for", "198.51.100.4")
        .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  }

  @Benchmark
  public HttpHeaders rewriteFromAClient() {
    HttpHeaders headers = typicalRequest();
    HopByHopHeaders.strip(headers);
    untrusted.apply(headers, client, "http", "jira.example.com");
    headers.set("x-request-id", RequestIds.acceptOrGenerate(headers.get("x-request-id")));
    TraceContext.of(headers).propagate(headers);
    return headers;
  }

  @Benchmark
  public HttpHeaders rewriteBehindATrustedLoadBalancer() {
    HttpHeaders headers = typicalRequest();
    HopByHopHeaders.strip(headers);
    behindLoadBalancer.clientAddress(loadBalancer, headers);
    behindLoadBalancer.apply(headers, loadBalancer, "https", "jira.example.com");
    headers.set("x-request-id", RequestIds.acceptOrGenerate(headers.get("x-request-id")));
    TraceContext.of(headers).propagate(headers);
    return headers;
  }

  /** The cost of building the headers alone, to subtract from the two above. */
  @Benchmark
  public HttpHeaders baselineHeadersOnly() {
    return typicalRequest();
  }
}
