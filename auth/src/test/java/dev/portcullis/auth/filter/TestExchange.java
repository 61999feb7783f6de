package dev.portcullis.auth.filter;

import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.core.pipeline.ExchangeKey;
import dev.portcullis.core.route.Route;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * An exchange as the engine would present it, for filter tests without a network. Its executor
 * queues tasks so a test can tell whether work was handed back to the "event loop".
 */
final class TestExchange implements Exchange {
  final HttpHeaders headers = new DefaultHttpHeaders();
  final Map<ExchangeKey<?>, Object> attributes = new HashMap<>();
  final List<Runnable> loopTasks = new ArrayList<>();
  private final HttpMethod method;
  private final String path;
  private final InetSocketAddress client;

  TestExchange(HttpMethod method, String path, String clientIp) {
    this.method = method;
    this.path = path;
    this.client = new InetSocketAddress(clientIp, 40000);
  }

  void runLoopTasks() {
    while (!loopTasks.isEmpty()) {
      loopTasks.remove(0).run();
    }
  }

  @Override
  public String requestId() {
    return "req-1";
  }

  @Override
  public long startNanos() {
    return 0;
  }

  @Override
  public String traceId() {
    return "0af7651916cd43dd8448eb211c80319c";
  }

  @Override
  public HttpMethod method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return null;
  }

  @Override
  public HttpHeaders requestHeaders() {
    return headers;
  }

  @Override
  public InetSocketAddress clientAddress() {
    return client;
  }

  @Override
  public Route route() {
    return null;
  }

  @Override
  public Executor executor() {
    return loopTasks::add;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(ExchangeKey<T> key) {
    return (T) attributes.get(key);
  }

  @Override
  public <T> void set(ExchangeKey<T> key, T value) {
    attributes.put(key, value);
  }
}
