package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code server.limits.idle_timeout} on real sockets: quiet connections close, busy ones stay. */
class IdleTimeoutIT {
  private static final Duration IDLE = Duration.ofMillis(400);

  private static TestUpstream upstream;
  private static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway =
        Gateway.start(
            TestGateways.config(upstream.uri(), new ServerLimits(8 * 1024, 60 * 1024, IDLE)));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @Test
  void aKeptAliveConnectionWithNothingInFlightClosesAfterTheIdleTimeout() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      // The gateway's last activity lies between sending the request and reading the response
      // (a cold client can take a while to parse it), so those two bound the close.
      long sent = System.nanoTime();
      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      long received = System.nanoTime();
      assertThat(raw.closedByPeer()).isTrue();
      long closed = System.nanoTime();
      assertThat(Duration.ofNanos(closed - sent)).isGreaterThanOrEqualTo(IDLE);
      assertThat(Duration.ofNanos(closed - received)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void requestsMoreOftenThanTheTimeoutKeepTheConnectionOpen() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      for (int i = 0; i < 6; i++) {
        raw.send("GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(raw.read().status()).isEqualTo(200);
        Thread.sleep(IDLE.toMillis() / 2);
      }
    }
  }

  @Test
  void aRequestWaitingLongerThanTheTimeoutForItsResponseIsNotCutOff() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("slow ok");
    }
  }
}
