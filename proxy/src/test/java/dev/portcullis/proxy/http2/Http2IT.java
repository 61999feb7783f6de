package dev.portcullis.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.Http2Config;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.config.ServerTlsConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.H2Client;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestCertificates;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import dev.portcullis.proxy.testing.TlsClients;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 from clients (ALPN over TLS, prior-knowledge h2c) to the HTTP/1.1 upstream pools. */
class Http2IT {
  @TempDir static Path dir;
  private static TestCertificates ca;
  private static TestCertificates.Leaf leaf;
  private static TestUpstream upstream;

  @BeforeAll
  static void start() throws Exception {
    ca = TestCertificates.newCa(dir, "Portcullis H2 Test CA");
    leaf = ca.newLeaf();
    upstream = new TestUpstream();
  }

  @AfterAll
  static void stop() {
    upstream.close();
  }

  private static Gateway gateway(ServerTlsConfig tls, Http2Config http2) throws Exception {
    GatewayConfig base = TestGateways.config(upstream.uri());
    ServerConfig server = base.server().withProtocols(tls, http2);
    return Gateway.start(TestGateways.config(server, base.upstreams().get("backend")));
  }

  private static FullHttpRequest get(String path) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    request.headers().set("host", "localhost");
    return request;
  }

  @Test
  void alpnH2OverTlsWithManyConcurrentStreamsAndLargeBodies() throws Exception {
    try (Gateway gateway =
        gateway(ServerTlsConfig.of(leaf.certPem(), leaf.keyPem()), Http2Config.DEFAULTS)) {
      SSLContext trust = TlsClients.trusting(ca.caPem());
      HttpClient client =
          HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_2).build();
      String base = "https://127.0.0.1:" + gateway.address().getPort();
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        responses.add(
            client.sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/headers?i=" + i)).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      for (int i = 0; i < responses.size(); i++) {
        HttpResponse<String> response = responses.get(i).get(60, TimeUnit.SECONDS);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"uri\":\"/headers?i=" + i + "\"");
        assertThat(response.body()).doesNotContain("x-http2-");
        assertThat(response.headers().firstValue("strict-transport-security")).isPresent();
      }
      // Streamed both ways: 8 MiB up to the sink, 4 MiB down from the upstream.
      byte[] upload = new byte[8 * 1024 * 1024];
      for (int i = 0; i < upload.length; i++) {
        upload[i] = (byte) (i * 31);
      }
      HttpResponse<String> sink =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/sink"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(sink.statusCode()).isEqualTo(200);
      assertThat(sink.body())
          .contains("\"bytes\":" + upload.length)
          .contains(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload)));
      int n = 4 * 1024 * 1024;
      HttpResponse<byte[]> download =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/bytes?n=" + n)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(download.body()).hasSize(n);
      for (int i = 0; i < n; i += 4099) {
        assertThat(download.body()[i]).isEqualTo(TestUpstream.patternByte(i));
      }
    }
  }

  @Test
  void alpnStillServesHttp11ClientsOnTheSameListener() throws Exception {
    try (Gateway gateway =
            gateway(ServerTlsConfig.of(leaf.certPem(), leaf.keyPem()), Http2Config.DEFAULTS);
        var socket =
            TlsClients.connect(TlsClients.trusting(ca.caPem()), gateway.address(), "TLSv1.3")) {
      assertThat(TlsClients.get(socket, "/x").status()).isEqualTo(200);
    }
  }

  @Test
  void nettyClientOverTlsAlpnGetsNoConnectionSpecificHeaders() throws Exception {
    SslContext tls =
        SslContextBuilder.forClient()
            .trustManager(ca.caPem().toFile())
            .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2))
            .build();
    try (Gateway gateway =
            gateway(ServerTlsConfig.of(leaf.certPem(), leaf.keyPem()), Http2Config.DEFAULTS);
        H2Client client = new H2Client(gateway.address(), tls)) {
      // The upstream answers with Connection, Keep-Alive and a header Connection names: none of
      // them may appear on HTTP/2 (Netty's client rejects such a response as malformed).
      H2Client.Response response = client.send(get("/hop")).get(30, TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(200);
      assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("hop");
      assertThat(response.headers().keySet())
          .doesNotContain("connection", "keep-alive", "x-upstream-hop", "transfer-encoding")
          .contains("x-end-to-end");
    }
  }

  @Test
  void priorKnowledgeH2cBesideHttp11() throws Exception {
    Http2Config h2c = new Http2Config(true, true, 100, 65_535);
    try (Gateway gateway = gateway(ServerTlsConfig.DISABLED, h2c);
        H2Client client = new H2Client(gateway.address(), null)) {
      List<CompletableFuture<H2Client.Response>> responses = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        responses.add(client.send(get("/headers?i=" + i)));
      }
      for (int i = 0; i < responses.size(); i++) {
        H2Client.Response response = responses.get(i).get(60, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
            .contains("\"uri\":\"/headers?i=" + i + "\"")
            .contains("\"x-forwarded-proto\":\"http\"");
      }
      // A streamed upload on a stream: past the window, so flow control has to open it again.
      byte[] upload = new byte[3 * 1024 * 1024 + 17];
      FullHttpRequest post =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.POST, "/sink", Unpooled.wrappedBuffer(upload));
      post.headers().set("host", "localhost");
      H2Client.Response sink = client.send(post).get(60, TimeUnit.SECONDS);
      assertThat(new String(sink.body(), StandardCharsets.UTF_8))
          .contains("\"bytes\":" + upload.length);
      assertThat(client.isOpen()).isTrue();
      H2Client.Response download =
          client.send(get("/bytes?n=" + (2 * 1024 * 1024))).get(120, TimeUnit.SECONDS);
      assertThat(download.body()).hasSize(2 * 1024 * 1024);

      // The same listener still speaks HTTP/1.1, and ignores an h2c Upgrade offer.
      try (RawHttp raw = new RawHttp(gateway.address())) {
        RawHttp.Response response =
            raw.send(
                    "GET /headers HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings"
                        + "\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
                .read();
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().toLowerCase())
            .doesNotContain("upgrade")
            .doesNotContain("http2-settings");
      }
    }
  }

  /**
   * 32 MiB down one h2c stream, through the relay's backpressure (the client's 64 KiB stream window
   * pauses the upstream read hundreds of times). It takes a few seconds on a loaded machine; the
   * bound is a generous timeout, not a speed assertion, and is still far below the half minute the
   * download took when the test upstream generated its body byte by byte under paranoid leak
   * detection, which is what made HTTP/2 downloads look slow.
   */
  @Test
  void largeH2cDownloadStreamsThroughTheWindow() throws Exception {
    Http2Config h2c = new Http2Config(true, true, 100, 65_535);
    int n = 32 * 1024 * 1024;
    try (Gateway gateway = gateway(ServerTlsConfig.DISABLED, h2c);
        H2Client client = new H2Client(gateway.address(), null)) {
      H2Client.Response download = client.send(get("/bytes?n=" + n)).get(20, TimeUnit.SECONDS);
      assertThat(download.status()).isEqualTo(200);
      assertThat(download.body()).hasSize(n);
      for (int i = 0; i < n; i += 4099) {
        assertThat(download.body()[i]).isEqualTo(TestUpstream.patternByte(i));
      }
      assertThat(download.body()[n - 1]).isEqualTo(TestUpstream.patternByte(n - 1));
      assertThat(client.isOpen()).isTrue();
    }
  }

  @Test
  void h2cResponsesAreCompressedLikeHttp11Ones() throws Exception {
    Http2Config h2c = new Http2Config(true, true, 100, 65_535);
    int n = 256 * 1024;
    try (Gateway gateway = gateway(ServerTlsConfig.DISABLED, h2c);
        H2Client client = new H2Client(gateway.address(), null)) {
      FullHttpRequest request = get("/bytes?n=" + n + "&type=application/json");
      request.headers().set("accept-encoding", "gzip");
      H2Client.Response response = client.send(request).get(20, TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers()).containsEntry("content-encoding", "gzip");
      assertThat(response.headers()).doesNotContainKey("transfer-encoding");
      byte[] plain =
          new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(response.body()))
              .readAllBytes();
      assertThat(plain).hasSize(n);
      for (int i = 0; i < n; i += 997) {
        assertThat(plain[i]).isEqualTo(TestUpstream.patternByte(i));
      }
      assertThat(response.body().length).isLessThan(n / 4);

      // Already encoded by the upstream: passed through untouched.
      FullHttpRequest encoded = get("/bytes?n=4096&type=application/json&encoding=br");
      encoded.headers().set("accept-encoding", "gzip");
      H2Client.Response passed = client.send(encoded).get(20, TimeUnit.SECONDS);
      assertThat(passed.headers()).containsEntry("content-encoding", "br");
      assertThat(passed.body()).hasSize(4096);
    }
  }

  @Test
  void streamsBeyondMaxConcurrentStreamsAreRefused() throws Exception {
    Http2Config two = new Http2Config(true, true, 2, 65_535);
    try (Gateway gateway = gateway(ServerTlsConfig.DISABLED, two);
        Socket socket = new Socket()) {
      socket.connect(gateway.address(), 10_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      writeFrame(out, 0x4, 0, 0, new byte[0]); // our SETTINGS
      // Acknowledge the server's SETTINGS: only then does it apply its stream limit.
      Frame frame;
      do {
        frame = readFrame(in);
      } while (!(frame.type == 0x4 && (frame.flags & 0x1) == 0));
      writeFrame(out, 0x4, 0x1, 0, new byte[0]);
      // Two slow requests hold both stream slots; a third is one too many.
      writeFrame(out, 0x1, 0x5, 1, headers("/slow?ms=1500"));
      writeFrame(out, 0x1, 0x5, 3, headers("/slow?ms=1500"));
      writeFrame(out, 0x1, 0x5, 5, headers("/anything"));
      out.flush();
      boolean refused5 = false;
      boolean answered1 = false;
      boolean answered3 = false;
      while (!(refused5 && answered1 && answered3)) {
        frame = readFrame(in);
        if (frame.type == 0x3) {
          int code = java.nio.ByteBuffer.wrap(frame.payload).getInt();
          assertThat(frame.stream).as("RST_STREAM with code " + code).isEqualTo(5);
          assertThat(code).isEqualTo(0x7); // REFUSED_STREAM
          refused5 = true;
        } else if (frame.type == 0x1) {
          assertThat(frame.stream).isIn(1, 3);
          answered1 |= frame.stream == 1;
          answered3 |= frame.stream == 3;
        } else if (frame.type == 0x7) {
          throw new AssertionError("GOAWAY instead of refusing one stream");
        }
      }
      assertThat(upstream.requestLines()).noneMatch(line -> line.contains("/anything"));
    }
  }

  @Test
  void drainingSendsGoawayAndLetsTheOpenStreamFinish() throws Exception {
    Http2Config h2c = new Http2Config(true, true, 100, 65_535);
    Gateway gateway = gateway(ServerTlsConfig.DISABLED, h2c);
    try (Socket socket = new Socket()) {
      socket.connect(gateway.address(), 10_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      writeFrame(out, 0x4, 0, 0, new byte[0]);
      writeFrame(out, 0x1, 0x5, 1, headers("/slow?ms=1500"));
      Thread drain = new Thread(gateway::shutdownGracefully);
      // The request is in flight at the upstream before the drain starts.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (upstream.requestLines().stream().noneMatch(l -> l.contains("/slow?ms=1500"))
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      drain.start();
      boolean goaway = false;
      boolean answered = false;
      while (!(goaway && answered)) {
        Frame frame = readFrame(in);
        if (frame.type == 0x4 && (frame.flags & 0x1) == 0) {
          writeFrame(out, 0x4, 0x1, 0, new byte[0]);
        } else if (frame.type == 0x7) {
          int errorCode = java.nio.ByteBuffer.wrap(frame.payload, 4, 4).getInt();
          assertThat(errorCode).isZero(); // NO_ERROR
          goaway = true;
        } else if (frame.type == 0x1 && frame.stream == 1) {
          answered = true;
        } else if (frame.type == 0x3) {
          throw new AssertionError("stream " + frame.stream + " was reset while draining");
        }
      }
      drain.join(30_000);
      assertThat(drain.isAlive()).isFalse();
    } finally {
      gateway.close();
    }
  }

  private record Frame(int type, int flags, int stream, byte[] payload) {}

  private static byte[] headers(String path) throws Exception {
    Http2Headers headers =
        new DefaultHttp2Headers().method("GET").scheme("http").authority("localhost").path(path);
    ByteBuf block = ByteBufAllocator.DEFAULT.heapBuffer();
    try {
      new DefaultHttp2HeadersEncoder().encodeHeaders(1, headers, block);
      byte[] bytes = new byte[block.readableBytes()];
      block.readBytes(bytes);
      return bytes;
    } finally {
      block.release();
    }
  }

  private static void writeFrame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws Exception {
    byte[] header = {
      (byte) (payload.length >> 16),
      (byte) (payload.length >> 8),
      (byte) payload.length,
      (byte) type,
      (byte) flags,
      (byte) (stream >> 24),
      (byte) (stream >> 16),
      (byte) (stream >> 8),
      (byte) stream
    };
    out.write(header);
    out.write(payload);
    out.flush();
  }

  private static Frame readFrame(DataInputStream in) throws Exception {
    byte[] header = new byte[9];
    in.readFully(header);
    int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
    int stream =
        ((header[5] & 0x7f) << 24)
            | ((header[6] & 0xff) << 16)
            | ((header[7] & 0xff) << 8)
            | (header[8] & 0xff);
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(header[3] & 0xff, header[4] & 0xff, stream, payload);
  }
}
