package dev.portcullis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GracefulShutdownIT {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static Gateway start(TestUpstream upstream, Duration drain) throws InterruptedException {
    return Gateway.start(
        TestGateways.config(
            TestGateways.server(2, drain, List.of()),
            TestGateways.upstream(
                "backend",
                List.of(upstream.uri()),
                Duration.ofSeconds(10),
                8,
                LoadBalancing.ROUND_ROBIN)));
  }

  @Test
  void drainLetsAnInFlightRequestFinishWhileReadinessSays503() throws Exception {
    try (TestUpstream upstream = new TestUpstream()) {
      Gateway gateway = start(upstream, Duration.ofSeconds(10));
      int port = gateway.address().getPort();
      URI ready =
          URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort() + "/health/ready");
      CompletableFuture<HttpResponse<String>> inFlight =
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?ms=1500"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      while (upstream.requests() == 0) {
        Thread.sleep(5);
      }
      CompletableFuture<Boolean> shutdown =
          CompletableFuture.supplyAsync(gateway::shutdownGracefully);
      while (gateway.inFlight() == 1 && !readyAnswers(ready, 503)) {
        Thread.sleep(10);
      }
      assertThat(inFlight.isDone())
          .as("the slow request is still running while draining")
          .isFalse();
      HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThatRefused(fresh, URI.create("http://127.0.0.1:" + port + "/headers"));

      HttpResponse<String> response = inFlight.get();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("slow ok");
      assertThat(response.headers().firstValue("connection")).hasValue("close");
      assertThat(shutdown.get()).as("drained within the timeout").isTrue();
    }
  }

  @Test
  void drainTimeoutCutsRequestsThatTakeTooLong() throws Exception {
    try (TestUpstream upstream = new TestUpstream()) {
      Gateway gateway = start(upstream, Duration.ofMillis(200));
      CompletableFuture<HttpResponse<String>> inFlight =
          client.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + gateway.address().getPort() + "/silent"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      while (upstream.requests() == 0) {
        Thread.sleep(5);
      }
      assertThat(gateway.shutdownGracefully()).isFalse();
      assertThat(inFlight).failsWithin(Duration.ofSeconds(5));
    }
  }

  private boolean readyAnswers(URI ready, int status) {
    try {
      return client
              .send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString())
              .statusCode()
          == status;
    } catch (Exception e) {
      return false;
    }
  }

  private static void assertThatRefused(HttpClient fresh, URI uri) {
    try {
      fresh.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      throw new AssertionError("a new connection was accepted while draining");
    } catch (ConnectException expected) {
      // the listener is closed
    } catch (Exception e) {
      assertThat(e).hasRootCauseInstanceOf(ConnectException.class);
    }
  }
}
