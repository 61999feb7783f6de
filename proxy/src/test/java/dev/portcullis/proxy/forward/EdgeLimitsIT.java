package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Size, count and time limits at the edge, on raw sockets. */
class EdgeLimitsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ServerLimits LIMITS =
      new ServerLimits(
          8 * 1024,
          60 * 1024,
          Duration.ofSeconds(30),
          20,
          1024,
          3,
          Duration.ofMillis(400),
          Duration.ofMillis(800));
  private static TestUpstream upstream;
  private static Gateway gateway;
  private int requestsBefore;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = Gateway.start(TestGateways.config(upstream.uri(), LIMITS));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void count() throws Exception {
    // Earlier tests' connections must be gone before the connection-limit test counts.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (gateway.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    requestsBefore = upstream.requests();
  }

  @Test
  void tooManyHeaderFieldsIs431() throws Exception {
    StringBuilder request = new StringBuilder("GET /headers HTTP/1.1\r\nHost: h\r\n");
    for (int i = 0; i < 20; i++) {
      request.append("X-H").append(i).append(": v\r\n");
    }
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(request.append("\r\n").toString());
      assertThat(raw.read().status()).isEqualTo(431);
    }
    assertThat(upstream.requests()).isEqualTo(requestsBefore);
  }

  @Test
  void aDeclaredBodyOverTheLimitIs413BeforeItIsSent() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 1025\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(413);
      assertThat(JSON.readTree(response.body()).get("error").asText())
          .isEqualTo("payload_too_large");
      assertThat(raw.closedByPeer()).isTrue();
    }
    assertThat(upstream.requests()).isEqualTo(requestsBefore);
  }

  @Test
  void aStreamedBodyIsCutAsSoonAsItPassesTheLimit() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      String chunk = "x".repeat(600);
      raw.send(
          "POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + Integer.toHexString(600)
              + "\r\n"
              + chunk
              + "\r\n");
      Thread.sleep(100);
      raw.send(Integer.toHexString(600) + "\r\n" + chunk + "\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(413);
      assertThat(raw.closedByPeer()).isTrue();
    }
    // a body within the limit still passes
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" + "y".repeat(1024));
      assertThat(JSON.readTree(raw.read().body()).get("bytes").asLong()).isEqualTo(1024);
    }
  }

  @Test
  void aTrickledHeadIsCutOffWith408ButAnIdleKeepAliveConnectionIsNot() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /headers HTTP/1.1\r\n");
      Thread.sleep(200);
      raw.send("Host: h\r\n");
      RawHttp.Response response = raw.read(); // no blank line ever comes
      assertThat(response.status()).isEqualTo(408);
      assertThat(raw.closedByPeer()).isTrue();
    }
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      Thread.sleep(700); // longer than the head timeout, between requests
      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
    }
  }

  @Test
  void eachHeadOnAKeptAliveConnectionGetsTheWholeHeadTimeout() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      // The first head starts the connection's one timer (400 ms); a second head starting later
      // must not be cut when that timer fires, only when 400 ms of its own have passed.
      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      Thread.sleep(100);
      raw.send("GET /headers HTTP/1.1\r\n");
      Thread.sleep(250); // the timer fires meanwhile, with this head 300 ms old
      raw.send("Host: h\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      long start = System.nanoTime();
      raw.send("GET /headers HTTP/1.1\r\n"); // never completed
      assertThat(raw.read().status()).isEqualTo(408);
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
      assertThat(raw.closedByPeer()).isTrue();
    }
  }

  @Test
  void aRequestOverItsTotalTimeIs504() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(504);
      assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("request_timeout");
    }
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
    try (RawHttp a = new RawHttp(gateway.address());
        RawHttp b = new RawHttp(gateway.address());
        RawHttp c = new RawHttp(gateway.address())) {
      a.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(a.read().status()).isEqualTo(200);
      b.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(b.read().status()).isEqualTo(200);
      c.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
      try (RawHttp d = new RawHttp(gateway.address())) {
        assertThat(d.closedByPeer()).isTrue();
      }
    }
    // once they are closed, new connections are served again
    Thread.sleep(100);
    try (RawHttp e = new RawHttp(gateway.address())) {
      e.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(e.read().status()).isEqualTo(200);
    }
  }
}
