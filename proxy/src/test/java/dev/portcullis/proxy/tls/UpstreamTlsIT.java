package dev.portcullis.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.core.config.UpstreamTlsConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestCertificates;
import dev.portcullis.proxy.testing.TestGateways;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** https:// upstream targets: chain and host name verified against the configured CA. */
class UpstreamTlsIT {
  @TempDir static Path dir;
  private static TestCertificates ca;
  private static TestCertificates otherCa;
  private static EventLoopGroup group;
  private static Channel server;
  private static final AtomicInteger requests = new AtomicInteger();
  private static final Map<String, String> protocols = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    ca = TestCertificates.newCa(dir.resolve("."), "Upstream CA");
    TestCertificates.Leaf leaf = ca.newLeaf();
    otherCa =
        TestCertificates.newCa(
            java.nio.file.Files.createDirectories(dir.resolve("other")), "Other CA");
    SslContext tls =
        SslContextBuilder.forServer(leaf.certPem().toFile(), leaf.keyPem().toFile()).build();
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    ch.pipeline().addLast(new HttpServerCodec());
                    ch.pipeline().addLast(new HttpObjectAggregator(65536));
                    ch.pipeline()
                        .addLast(
                            new SimpleChannelInboundHandler<FullHttpRequest>() {
                              @Override
                              protected void channelRead0(
                                  ChannelHandlerContext ctx, FullHttpRequest request) {
                                requests.incrementAndGet();
                                protocols.put(
                                    "last",
                                    ctx.pipeline()
                                        .get(SslHandler.class)
                                        .engine()
                                        .getSession()
                                        .getProtocol());
                                FullHttpResponse response =
                                    new DefaultFullHttpResponse(
                                        HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.OK,
                                        Unpooled.copiedBuffer("secure", StandardCharsets.UTF_8));
                                HttpUtil.setContentLength(response, 6);
                                ctx.writeAndFlush(response);
                              }
                            });
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  @AfterAll
  static void stop() {
    server.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static RawHttp.Response through(UpstreamTlsConfig tls) throws Exception {
    return through(tls, null);
  }

  /** One request through a fresh gateway; {@code ready} gets the admin readiness body after it. */
  private static RawHttp.Response through(UpstreamTlsConfig tls, StringBuilder ready)
      throws Exception {
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    UpstreamConfig backend =
        TestGateways.upstream(
                "backend",
                List.of(URI.create("https://127.0.0.1:" + port)),
                Duration.ofSeconds(10),
                8,
                LoadBalancing.ROUND_ROBIN)
            .withTls(tls);
    try (Gateway gateway = Gateway.start(TestGateways.oneWorker(backend));
        RawHttp raw = new RawHttp(gateway.address())) {
      RawHttp.Response response = raw.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
      if (ready != null) {
        // The failed connection is closed and its permit returned exactly once.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String body;
        do {
          Thread.sleep(20);
          try (RawHttp admin = new RawHttp(gateway.adminAddress())) {
            body = admin.send("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").read().body();
          }
        } while (!body.contains("\"open_connections\":0") && System.nanoTime() < deadline);
        ready.append(body);
      }
      return response;
    }
  }

  @Test
  void targetSignedByTheConfiguredCaIsServed() throws Exception {
    int before = requests.get();
    RawHttp.Response response = through(new UpstreamTlsConfig(ca.caPem(), false));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("secure");
    assertThat(requests.get()).isEqualTo(before + 1);
    assertThat(protocols.get("last")).isIn("TLSv1.3", "TLSv1.2");
  }

  @Test
  void targetSignedByAnotherCaIsA502AndGetsNoRequest() throws Exception {
    int before = requests.get();
    StringBuilder ready = new StringBuilder();
    RawHttp.Response response = through(new UpstreamTlsConfig(otherCa.caPem(), false), ready);
    assertThat(response.status()).isEqualTo(502);
    assertThat(ready.toString())
        .contains("\"open_connections\":0")
        .doesNotContain("\"open_connections\":-");
    assertThat(response.body()).contains("\"error\":\"upstream_unavailable\"");
    assertThat(requests.get()).isEqualTo(before);
  }

  @Test
  void systemTrustStoreDoesNotTrustATestCa() throws Exception {
    assertThat(through(UpstreamTlsConfig.DEFAULTS).status()).isEqualTo(502);
  }

  @Test
  void insecureSkipVerifyAcceptsAnyCertificate() throws Exception {
    assertThat(through(new UpstreamTlsConfig(otherCa.caPem(), true)).status()).isEqualTo(200);
  }
}
