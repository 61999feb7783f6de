package dev.portcullis.proxy.cache;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a loopback port for the cache tests, counting the requests each path gets. A path
 * answers what its {@link Responder} says; by default {@code 200 "<path> #<n>"}, n counting that
 * path's requests, so a test can tell a cached body from a fresh one.
 */
final class CacheTestUpstream implements AutoCloseable {
  record Reply(int status, Map<String, String> headers, String body) {}

  @FunctionalInterface
  interface Responder {
    Reply reply(HttpExchange request, int n) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final Map<String, Responder> responders = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> lastHeaders = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  CacheTestUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  void on(String path, Responder responder) {
    responders.put(path, responder);
  }

  int requests(String path) {
    AtomicInteger n = counts.get(path);
    return n == null ? 0 : n.get();
  }

  int requests() {
    return total.get();
  }

  /** The headers of the path's last request, names in lower case. */
  Map<String, String> lastHeaders(String path) {
    return lastHeaders.getOrDefault(path, Map.of());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      total.incrementAndGet();
      int n = counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      Map<String, String> headers = new ConcurrentHashMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
      lastHeaders.put(path, headers);
      Responder responder = responders.get(path);
      Reply reply;
      try {
        reply =
            responder == null
                ? new Reply(200, Map.of(), path + " #" + n)
                : responder.reply(exchange, n);
      } catch (Exception e) {
        reply = new Reply(500, Map.of(), "test responder failed: " + e);
      }
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      boolean noBody =
          exchange.getRequestMethod().equals("HEAD") || reply.status() == 304 || body.length == 0;
      exchange.sendResponseHeaders(reply.status(), noBody ? -1 : body.length);
      if (!noBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
