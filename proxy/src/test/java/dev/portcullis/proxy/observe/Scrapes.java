package dev.portcullis.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.proxy.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Scrapes a running gateway's {@code /metrics}. */
final class Scrapes {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private Scrapes() {}

  record Scrape(String contentType, String body) {}

  static Scrape scrape(Gateway gateway, String accept) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort() + "/metrics"));
    if (accept != null) {
      request.header("Accept", accept);
    }
    HttpResponse<String> response =
        CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new Scrape(response.headers().firstValue("content-type").orElse(""), response.body());
  }

  static void awaitNoneInFlight(Gateway gateway) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (gateway.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(gateway.inFlight()).isZero();
  }
}
