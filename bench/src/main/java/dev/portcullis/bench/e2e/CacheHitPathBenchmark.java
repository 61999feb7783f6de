package dev.portcullis.bench.e2e;

import dev.portcullis.core.config.AccessLogConfig;
import dev.portcullis.core.config.AdminConfig;
import dev.portcullis.core.config.AuditLogConfig;
import dev.portcullis.core.config.AuthConfig;
import dev.portcullis.core.config.CacheConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.RateLimitsConfig;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.config.ServerLimits;
import dev.portcullis.core.config.SocketTransport;
import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cache hit against the uncached proxy path, end to end on loopback: one keep-alive client
 * connection per JMH thread sends {@code GET /1k} (a 1 KiB JSON body) and reads the whole response,
 * through a gateway whose route caches it (every request after the first is a hit) or through one
 * that forwards every request to the in-process fast backend. Sample mode gives the latency
 * percentiles; throughput per thread is the inverse of the mean.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CacheHitPathBenchmark {
  private static final byte[] REQUEST =
      "GET /1k HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII);

  /** The backend and both gateways, shared by the threads. */
  @State(Scope.Benchmark)
  public static class Servers {
    EventLoopGroup backendGroup;
    Channel backend;
    Gateway cached;
    Gateway uncached;

    @Setup(Level.Trial)
    public void start() throws InterruptedException {
      Transport transport = Transport.of(SocketTransport.AUTO);
      backendGroup = transport.newGroup(1, "bench-backend");
      FastBackend.Responder responder =
          new FastBackend.Responder(FastBackend.jsonBody(1024), FastBackend.jsonBody(64 * 1024));
      backend =
          new ServerBootstrap()
              .group(backendGroup)
              .channel(transport.serverChannel())
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new HttpServerCodec()).addLast(responder);
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      URI target =
          URI.create("http://127.0.0.1:" + ((InetSocketAddress) backend.localAddress()).getPort());
      CacheConfig cache =
          new CacheConfig(
              CacheConfig.DEFAULT_MAX_BYTES,
              CacheConfig.DEFAULT_COALESCE_WAIT,
              null,
              List.of(
                  new CacheConfig.Policy(
                      "bench",
                      "bench",
                      List.of(),
                      Set.of("GET", "HEAD"),
                      Duration.ofHours(1),
                      true,
                      CacheConfig.Share.PRINCIPAL,
                      1024 * 1024,
                      Duration.ZERO,
                      Duration.ZERO,
                      1)));
      cached = Gateway.start(config(target, cache));
      uncached = Gateway.start(config(target, CacheConfig.DEFAULTS));
    }

    private static GatewayConfig config(URI target, CacheConfig cache) {
      return new GatewayConfig(
          new ServerConfig(
              "127.0.0.1", 0, 1, ServerLimits.DEFAULTS, Duration.ofSeconds(1), List.of()),
          new AdminConfig("127.0.0.1", 0),
          Map.of("backend", UpstreamConfig.withDefaults("backend", List.of(target))),
          List.of(RouteConfig.glob("bench", "/**", "backend")),
          RateLimitsConfig.DEFAULTS,
          new AccessLogConfig(false, AccessLogConfig.Destination.STDOUT, null),
          AuditLogConfig.DEFAULTS,
          AuthConfig.DEFAULTS,
          cache);
    }

    @TearDown(Level.Trial)
    public void stop() {
      cached.close();
      uncached.close();
      backend.close().syncUninterruptibly();
      backendGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** One keep-alive connection to each gateway per thread. */
  @State(Scope.Thread)
  public static class Client {
    Connection cached;
    Connection uncached;

    @Setup(Level.Trial)
    public void connect(Servers servers) throws IOException {
      cached = new Connection(servers.cached.address());
      uncached = new Connection(servers.uncached.address());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      cached.socket.close();
      uncached.socket.close();
    }
  }

  @Benchmark
  public int cachedHit(Client client) throws IOException {
    return client.cached.exchange();
  }

  @Benchmark
  public int uncachedProxy(Client client) throws IOException {
    return client.uncached.exchange();
  }

  /** A blocking HTTP/1.1 client that reads a Content-Length response whole. */
  static final class Connection {
    final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] buffer = new byte[16 * 1024];

    Connection(InetSocketAddress address) throws IOException {
      socket = new Socket(address.getAddress(), address.getPort());
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    /** Sends the request and returns the body length read. */
    int exchange() throws IOException {
      out.write(REQUEST);
      out.flush();
      int filled = 0;
      int headEnd = -1;
      while (headEnd < 0) {
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          throw new IOException("connection closed");
        }
        filled += n;
        headEnd = indexOfBlankLine(filled);
      }
      int length = contentLength(headEnd);
      int have = filled - headEnd;
      while (have < length) {
        int n = in.read(buffer, 0, Math.min(buffer.length, length - have));
        if (n < 0) {
          throw new IOException("connection closed");
        }
        have += n;
      }
      return length;
    }

    private int indexOfBlankLine(int filled) {
      for (int i = 3; i < filled; i++) {
        if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n') {
          return i + 1;
        }
      }
      return -1;
    }

    private int contentLength(int headEnd) {
      String head = new String(buffer, 0, headEnd, StandardCharsets.US_ASCII);
      int at = head.toLowerCase(java.util.Locale.ROOT).indexOf("\ncontent-length:");
      if (at < 0) {
        throw new IllegalStateException("no content-length in " + head);
      }
      int end = head.indexOf('\r', at);
      return Integer.parseInt(head.substring(at + 16, end).trim());
    }
  }
}
