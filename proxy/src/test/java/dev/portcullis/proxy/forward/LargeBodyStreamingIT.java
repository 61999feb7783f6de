package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100 MiB each way through the gateway, and 100 MiB compressed on the way to the client. The build
 * runs this class in its own JVM with a 64 MiB heap and 64 MiB of direct memory (see the
 * "streaming" failsafe execution in proxy/pom.xml), so a gateway that aggregated a body, or
 * buffered faster than the far side reads, would fail here with OutOfMemoryError instead of
 * passing.
 */
class LargeBodyStreamingIT {
  private static final long SIZE = 100L * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestUpstream upstream;
  private static Gateway gateway;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    ServerLimits d = ServerLimits.DEFAULTS;
    ServerLimits bigBodies =
        new ServerLimits(
            d.maxInitialLineBytes(),
            d.maxHeaderBytes(),
            d.idleTimeout(),
            d.maxHeaders(),
            1024L * 1024 * 1024, // an operator raises the 10 MiB default for uploads like these
            d.maxConnections(),
            d.requestHeadersTimeout(),
            d.requestTimeout());
    gateway =
        Gateway.start(
            TestGateways.config(
                new ServerConfig("127.0.0.1", 0, 2, bigBodies, Duration.ofSeconds(5), List.of()),
                TestGateways.upstream(
                    "backend",
                    List.of(upstream.uri()),
                    Duration.ofSeconds(30),
                    16,
                    LoadBalancing.ROUND_ROBIN)));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + gateway.address().getPort() + path);
  }

  /** Pattern bytes generated on the fly: the test itself holds no body in memory either. */
  private static InputStream patternStream(long size) {
    return new InputStream() {
      private long position;

      @Override
      public int read() {
        return position < size ? TestUpstream.patternByte(position++) & 0xFF : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (position >= size) {
          return -1;
        }
        int n = (int) Math.min(len, size - position);
        for (int i = 0; i < n; i++) {
          b[off + i] = TestUpstream.patternByte(position++);
        }
        return n;
      }
    };
  }

  @Test
  void hundredMebibyteUploadStreamsThrough() throws Exception {
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    try (InputStream in = patternStream(SIZE)) {
      byte[] buffer = new byte[65536];
      for (int n; (n = in.read(buffer)) > 0; ) {
        expected.update(buffer, 0, n);
      }
    }
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(url("/sink"))
                .POST(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> patternStream(SIZE)), SIZE))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    var json = JSON.readTree(response.body());
    assertThat(json.get("bytes").asLong()).isEqualTo(SIZE);
    assertThat(json.get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(expected.digest()));
    assertHeapStaysSmall();
  }

  @Test
  void hundredMebibyteDownloadStreamsThrough() throws Exception {
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(url("/bytes?n=" + SIZE + "&chunked=true")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    long read = 0;
    byte[] buffer = new byte[65536];
    try (InputStream in = response.body()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        assertThat(buffer[0]).isEqualTo(TestUpstream.patternByte(read));
        read += n;
      }
    }
    assertThat(read).isEqualTo(SIZE);
    assertHeapStaysSmall();
  }

  @Test
  void hundredMebibyteCompressedDownloadStreamsThroughWithoutAggregation() throws Exception {
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(url("/bytes?n=" + SIZE + "&type=text/plain&chunked=true"))
                .header("Accept-Encoding", "gzip")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-encoding")).hasValue("gzip");
    long read = 0;
    byte[] buffer = new byte[65536];
    try (InputStream in = new java.util.zip.GZIPInputStream(response.body(), 65536)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        for (int i = 0; i < n; i += 4093) {
          assertThat(buffer[i]).isEqualTo(TestUpstream.patternByte(read + i));
        }
        read += n;
      }
    }
    assertThat(read).isEqualTo(SIZE);
    assertHeapStaysSmall();
  }

  private static void assertHeapStaysSmall() {
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    assertThat(used).as("heap after GC").isLessThan(48L * 1024 * 1024);
  }
}
