package dev.portcullis.proxy.compression;

import static org.assertj.core.api.Assertions.assertThat;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import dev.portcullis.core.config.CompressionConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Responses compressed by the gateway on the way to the client, on raw sockets: the decoded bytes
 * are the upstream's, and what must stay as it is does.
 */
class ResponseCompressionIT {
  private static TestUpstream upstream;
  private static Gateway gateway;
  private static Gateway uncompressed;

  @BeforeAll
  static void start() throws Exception {
    Brotli4jLoader.ensureAvailability();
    upstream = new TestUpstream();
    GatewayConfig config = TestGateways.config(upstream.uri());
    ServerConfig withDeflate =
        config
            .server()
            .withCompression(
                new CompressionConfig(
                    true,
                    1024,
                    CompressionConfig.DEFAULTS.contentTypes(),
                    List.of("br", "gzip", "deflate"),
                    6,
                    6,
                    4));
    gateway = Gateway.start(TestGateways.config(withDeflate, upstreamConfig()));
    ServerConfig off =
        config
            .server()
            .withCompression(
                new CompressionConfig(false, 1024, List.of("text/*"), List.of("gzip"), 6, 6, 4));
    uncompressed = Gateway.start(TestGateways.config(off, upstreamConfig()));
  }

  private static dev.portcullis.core.config.UpstreamConfig upstreamConfig() {
    return TestGateways.upstream(
        "backend", List.of(upstream.uri()), Duration.ofSeconds(10), 16, LoadBalancing.ROUND_ROBIN);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    uncompressed.close();
    upstream.close();
  }

  private static RawHttp.Response get(Gateway gateway, String path, String acceptEncoding)
      throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "GET "
              + path
              + " HTTP/1.1\r\nHost: h\r\n"
              + (acceptEncoding == null ? "" : "Accept-Encoding: " + acceptEncoding + "\r\n")
              + "\r\n");
      return raw.read();
    }
  }

  private static byte[] pattern(int n) {
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      bytes[i] = TestUpstream.patternByte(i);
    }
    return bytes;
  }

  private static byte[] decode(String coding, byte[] body) throws Exception {
    InputStream in = new ByteArrayInputStream(body);
    InputStream decoded =
        switch (coding) {
          case "gzip" -> new GZIPInputStream(in);
          case "br" -> new BrotliInputStream(in);
          case "deflate" -> new InflaterInputStream(in);
          default -> throw new AssertionError(coding);
        };
    try (decoded) {
      return decoded.readAllBytes();
    }
  }

  @ParameterizedTest
  @CsvSource({
    "gzip, gzip",
    "'gzip, deflate, br', br",
    "'br;q=0.5, gzip', gzip",
    "'br;q=0, gzip;q=0.1', gzip",
    "'deflate', deflate",
    "'*', br",
    "'gzip;q=0.5, *;q=0.9', br",
    "'x-gzip', gzip"
  })
  void theCodingFollowsAcceptEncodingAndDecodesToTheUpstreamsBytes(
      String acceptEncoding, String expected) throws Exception {
    for (String chunked : List.of("false", "true")) {
      RawHttp.Response response =
          get(gateway, "/bytes?n=200000&type=application/json&chunked=" + chunked, acceptEncoding);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("content-encoding")).isEqualTo(expected);
      assertThat(response.header("vary")).isEqualToIgnoringCase("accept-encoding");
      assertThat(response.header("content-length")).isNull();
      assertThat(response.header("transfer-encoding")).isEqualTo("chunked");
      assertThat(response.bytes().length).isLessThan(200000 / 10);
      assertThat(decode(expected, response.bytes())).isEqualTo(pattern(200000));
    }
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"identity", "gzip;q=0, br;q=0", "compress"})
  void noAcceptableCodingLeavesTheBodyAsItIsButStillVaries(String acceptEncoding) throws Exception {
    RawHttp.Response response = get(gateway, "/bytes?n=5000&type=text/plain", acceptEncoding);
    assertThat(response.header("content-encoding")).isNull();
    assertThat(response.header("content-length")).isEqualTo("5000");
    assertThat(response.header("vary")).isEqualToIgnoringCase("accept-encoding");
    assertThat(response.bytes()).isEqualTo(pattern(5000));
  }

  @Test
  void aBodyBelowTheThresholdIsNotCompressedUnlessItsSizeIsUnknown() throws Exception {
    RawHttp.Response small = get(gateway, "/bytes?n=1000&type=text/plain", "gzip");
    assertThat(small.header("content-encoding")).isNull();
    assertThat(small.header("content-length")).isEqualTo("1000");
    assertThat(small.bytes()).isEqualTo(pattern(1000));

    RawHttp.Response streamed = get(gateway, "/bytes?n=1000&type=text/plain&chunked=true", "gzip");
    assertThat(streamed.header("content-encoding")).isEqualTo("gzip");
    assertThat(decode("gzip", streamed.bytes())).isEqualTo(pattern(1000));
  }

  @ParameterizedTest
  @ValueSource(strings = {"image/png", "application/octet-stream", "video/mp4"})
  void aTypeNotWorthCompressingIsLeftAlone(String type) throws Exception {
    RawHttp.Response response = get(gateway, "/bytes?n=50000&type=" + type, "gzip, br");
    assertThat(response.header("content-encoding")).isNull();
    assertThat(response.header("vary")).isNull();
    assertThat(response.header("content-length")).isEqualTo("50000");
    assertThat(response.bytes()).isEqualTo(pattern(50000));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/html; charset=utf-8",
        "application/vnd.api+json",
        "application/problem+xml",
        "image/svg+xml",
        "APPLICATION/JSON"
      })
  void compressibleTypesIncludeSuffixesAndParameters(String type) throws Exception {
    RawHttp.Response response =
        get(gateway, "/bytes?n=50000&type=" + type.replace(" ", "%20").replace("+", "%2B"), "gzip");
    assertThat(response.header("content-encoding")).isEqualTo("gzip");
    assertThat(decode("gzip", response.bytes())).isEqualTo(pattern(50000));
  }

  @Test
  void aResponseTheUpstreamEncodedIsNeverEncodedAgain() throws Exception {
    RawHttp.Response response =
        get(gateway, "/bytes?n=50000&type=text/plain&encoding=gzip", "gzip, br");
    assertThat(response.header("content-encoding")).isEqualTo("gzip");
    assertThat(response.header("content-length")).isEqualTo("50000");
    assertThat(response.bytes()).as("relayed byte for byte").isEqualTo(pattern(50000));
  }

  @Test
  void aHeadResponseIsNotCompressed() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "HEAD /bytes?n=50000&type=text/plain HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n");
      RawHttp.Response head = raw.readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-encoding")).isNull();
      assertThat(head.header("content-length")).isEqualTo("50000");
      // the connection is still in step: the next response follows with nothing in between
      raw.send(
          "GET /bytes?n=3000&type=text/plain HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n");
      RawHttp.Response next = raw.read();
      assertThat(next.header("content-encoding")).isEqualTo("gzip");
      assertThat(decode("gzip", next.bytes())).isEqualTo(pattern(3000));
    }
  }

  @Test
  void anHttp10ClientGetsTheBodyAsItIs() throws Exception {
    for (String chunked : List.of("false", "true")) {
      try (RawHttp raw = new RawHttp(gateway.address())) {
        raw.send(
            "GET /bytes?n=5000&type=text/plain&chunked="
                + chunked
                + " HTTP/1.0\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n");
        RawHttp.Response response = raw.read();
        assertThat(response.header("content-encoding")).isNull();
        assertThat(response.header("transfer-encoding")).isNull();
        assertThat(response.bytes()).isEqualTo(pattern(5000));
      }
    }
  }

  @Test
  void pipelinedRequestsEachGetTheirOwnCoding() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "GET /bytes?n=3000&type=text/plain HTTP/1.1\r\nHost: h\r\nAccept-Encoding: br\r\n\r\n"
              + "GET /bytes?n=3000&type=text/plain HTTP/1.1\r\nHost: h\r\n\r\n"
              + "GET /bytes?n=3000&type=text/plain HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n");
      List<RawHttp.Response> responses = raw.read(3);
      assertThat(responses.get(0).header("content-encoding")).isEqualTo("br");
      assertThat(decode("br", responses.get(0).bytes())).isEqualTo(pattern(3000));
      assertThat(responses.get(1).header("content-encoding")).isNull();
      assertThat(responses.get(1).bytes()).isEqualTo(pattern(3000));
      assertThat(responses.get(2).header("content-encoding")).isEqualTo("gzip");
      assertThat(decode("gzip", responses.get(2).bytes())).isEqualTo(pattern(3000));
    }
  }

  @Test
  void compressionCanBeSwitchedOff() throws Exception {
    RawHttp.Response response = get(uncompressed, "/bytes?n=50000&type=text/plain", "gzip, br");
    assertThat(response.header("content-encoding")).isNull();
    assertThat(response.header("vary")).isNull();
    assertThat(response.bytes()).isEqualTo(pattern(50000));
  }
}
