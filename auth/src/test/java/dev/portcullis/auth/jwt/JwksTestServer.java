package dev.portcullis.auth.jwt;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP server on a loopback port serving a JWKS the test can change, and counting fetches.
 */
final class JwksTestServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicReference<String> body = new AtomicReference<>("{\"keys\":[]}");
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile CountDownLatch gate;
  private final CountDownLatch trickle = new CountDownLatch(1);

  JwksTestServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/jwks.json",
        exchange -> {
          fetches.incrementAndGet();
          CountDownLatch waitFor = gate;
          if (waitFor != null) {
            try {
              waitFor.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.createContext(
        "/trickle.json",
        exchange -> {
          fetches.incrementAndGet();
          exchange.sendResponseHeaders(200, 0);
          OutputStream out = exchange.getResponseBody();
          out.write("{\"keys\":[".getBytes(StandardCharsets.UTF_8));
          out.flush();
          try {
            trickle.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          out.close();
        });
    server.start();
  }

  /** A key set whose head arrives at once and whose body never ends (until close). */
  URI trickleUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/trickle.json");
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
  }

  void publish(String jwksJson) {
    body.set(jwksJson);
  }

  int fetches() {
    return fetches.get();
  }

  /** Holds every response until the returned latch is counted down. */
  CountDownLatch hold() {
    CountDownLatch latch = new CountDownLatch(1);
    gate = latch;
    return latch;
  }

  @Override
  public void close() {
    trickle.countDown();
    CountDownLatch waitFor = gate;
    if (waitFor != null) {
      waitFor.countDown();
    }
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
