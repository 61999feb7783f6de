package dev.portcullis.proxy.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The raw-byte head scan that runs on every byte a client sends before the HTTP codec: a typical
 * Jira API request head, a POST whose 64 KiB body is skipped by its Content-Length, and a chunked
 * 64 KiB body in 16 chunks. Direct buffers, as the socket hands them over. Lives in the engine's
 * package because the scanner is package-private there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RequestHeadScanBenchmark {
  private static final String HEAD =
      "GET /rest/api/3/search?jql=project%3DPORT%20ORDER%20BY%20created&maxResults=50 HTTP/1.1\r\n"
          + "Host: jira.example.com\r\n"
          + "User-Agent: jira-cli/1.5 (linux; amd64)\r\n"
          + "Accept: application/json\r\n"
          + "Accept-Encoding: gzip, br\r\n"
          + "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl\r\n"
          + "Connection: keep-alive\r\n"
          + "X-Forwarded-For: 198.51.100.4\r\n"
          + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
          + "Cookie: JSESSIONID=0123456789ABCDEF; atlassian.xsrf.token=ABCD-1234\r\n\r\n";

  private final RequestHeadScanner scanner = new RequestHeadScanner();
  private ByteBuf head;
  private ByteBuf fixedBody;
  private ByteBuf chunkedBody;

  @Setup
  public void setUp() {
    head = direct(HEAD.getBytes(StandardCharsets.US_ASCII));
    byte[] body = new byte[64 * 1024];
    java.util.Arrays.fill(body, (byte) 'x');
    String post =
        "POST /rest/api/3/issue HTTP/1.1\r\nHost: jira.example.com\r\n"
            + "Content-Type: application/json\r\nContent-Length: 65536\r\n\r\n";
    fixedBody = direct(concat(post.getBytes(StandardCharsets.US_ASCII), body));
    StringBuilder chunked =
        new StringBuilder(
            "POST /rest/api/3/issue HTTP/1.1\r\nHost: jira.example.com\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    byte[] chunk = new byte[4096];
    java.util.Arrays.fill(chunk, (byte) 'x');
    String chunkText = new String(chunk, StandardCharsets.US_ASCII);
    for (int i = 0; i < 16; i++) {
      chunked.append("1000\r\n").append(chunkText).append("\r\n");
    }
    chunked.append("0\r\n\r\n");
    chunkedBody = direct(chunked.toString().getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static ByteBuf direct(byte[] bytes) {
    return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
  }

  @TearDown
  public void tearDown() {
    head.release();
    fixedBody.release();
    chunkedBody.release();
  }

  @Benchmark
  public boolean typicalApiRequestHead() {
    return scanner.scan(head);
  }

  /** Baseline: the cost of merely visiting every byte of the same head once. */
  @Benchmark
  public int readingTheHeadOnce() {
    return head.forEachByte(io.netty.util.ByteProcessor.FIND_NUL);
  }

  @Benchmark
  public boolean postWithContentLengthBody() {
    return scanner.scan(fixedBody);
  }

  @Benchmark
  public boolean postWithChunkedBody() {
    return scanner.scan(chunkedBody);
  }
}
