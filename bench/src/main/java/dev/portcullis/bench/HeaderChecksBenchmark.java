package dev.portcullis.bench;

import dev.portcullis.core.pipeline.HeaderNames;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
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
 * What Netty's header checks cost on the headers the gateway sets per request, with Netty's own
 * headers factory and with the gateway's ({@link HeaderNames#headersFactory()}: names made by
 * {@link HeaderNames#of} checked once, values eight bytes at a time). Each operation sets into a
 * header map that already holds the header, as the gateway's {@code set} does on a relayed message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HeaderChecksBenchmark {
  /** The size of an RS256 identity token with a few claims, as the gateway sends upstream. */
  private static final AsciiString IDENTITY_TOKEN =
      new AsciiString("Bearer " + "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.".repeat(20));

  private static final AsciiString AUTHORIZATION = new AsciiString("authorization");
  private static final AsciiString CHECKED_AUTHORIZATION = HeaderNames.of("authorization");
  private static final String[] NAMES = {
    "x-request-id",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "forwarded",
    "RateLimit-Policy",
    "RateLimit",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset"
  };
  private static final AsciiString VALUE = new AsciiString("\"bench\";q=100000000;w=1");

  private final AsciiString[] plainNames = new AsciiString[NAMES.length];
  private final AsciiString[] checkedNames = new AsciiString[NAMES.length];
  private final HttpHeaders nettyHeaders = DefaultHttpHeadersFactory.headersFactory().newHeaders();
  private final HttpHeaders gatewayHeaders = HeaderNames.headersFactory().newHeaders();

  public HeaderChecksBenchmark() {
    for (int i = 0; i < NAMES.length; i++) {
      plainNames[i] = AsciiString.cached(NAMES[i]);
      checkedNames[i] = HeaderNames.of(NAMES[i]);
    }
  }

  @Benchmark
  public HttpHeaders identityTokenNettyChecks() {
    return nettyHeaders.set(AUTHORIZATION, IDENTITY_TOKEN);
  }

  @Benchmark
  public HttpHeaders identityTokenGatewayChecks() {
    return gatewayHeaders.set(CHECKED_AUTHORIZATION, IDENTITY_TOKEN);
  }

  @Benchmark
  public HttpHeaders tenGatewayHeadersNettyChecks() {
    for (AsciiString name : plainNames) {
      nettyHeaders.set(name, VALUE);
    }
    return nettyHeaders;
  }

  @Benchmark
  public HttpHeaders tenGatewayHeadersGatewayChecks() {
    for (AsciiString name : checkedNames) {
      gatewayHeaders.set(name, VALUE);
    }
    return gatewayHeaders;
  }
}
