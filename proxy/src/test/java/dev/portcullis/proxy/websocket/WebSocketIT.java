package dev.portcullis.proxy.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.TestGateways;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through the gateway: Netty's WebSocket client, the gateway, and a Netty WebSocket echo
 * server as the upstream. Frames are relayed as bytes; the client and server do the framing.
 */
class WebSocketIT {
  private EventLoopGroup group;
  private Channel echoServer;
  private final Map<String, String> upgradeHeaders = new ConcurrentHashMap<>();
  private final AtomicInteger upstreamOpen = new AtomicInteger();
  private volatile CountDownLatch upstreamClosed = new CountDownLatch(1);
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    echoServer =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpServerCodec());
                    ch.pipeline().addLast(new HttpObjectAggregator(65536));
                    ch.pipeline().addLast(new UpgradeRecorder());
                    ch.pipeline()
                        .addLast(new WebSocketServerProtocolHandler("/ws", null, false, 4 << 20));
                    ch.pipeline().addLast(new Echo());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    int port = ((InetSocketAddress) echoServer.localAddress()).getPort();
    gateway = TestGateways.start(URI.create("http://127.0.0.1:" + port));
  }

  @AfterEach
  void stop() {
    gateway.close();
    echoServer.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** Records the upgrade request's headers as the upstream got them. */
  private final class UpgradeRecorder extends SimpleChannelInboundHandler<FullHttpRequest> {
    UpgradeRecorder() {
      super(false);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      upstreamOpen.incrementAndGet();
      ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      request.headers().forEach(e -> upgradeHeaders.put(e.getKey().toLowerCase(), e.getValue()));
      ctx.fireChannelRead(request);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      upstreamOpen.decrementAndGet();
      upstreamClosed.countDown();
      ctx.fireChannelInactive();
    }
  }

  /** Echoes text and binary frames; the text "bye" makes the server close the connection. */
  private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame text && text.text().equals("bye")) {
        ctx.close();
        return;
      }
      ctx.writeAndFlush(frame.retain());
    }
  }

  /** A connected client: frames received, as strings ("text:..." or "binary:<sha>"). */
  private static final class Client extends SimpleChannelInboundHandler<WebSocketFrame> {
    final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    final CountDownLatch handshaken = new CountDownLatch(1);

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        handshaken.countDown();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame text) {
        received.add(text.text());
      } else if (frame instanceof BinaryWebSocketFrame binary) {
        received.add(ByteBufUtil.getBytes(binary.content()));
      }
    }
  }

  private Channel connect(Client client) throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + gateway.address().getPort() + "/ws");
    Channel channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec());
                    ch.pipeline().addLast(new HttpObjectAggregator(65536));
                    ch.pipeline()
                        .addLast(
                            new WebSocketClientProtocolHandler(
                                WebSocketClientProtocolConfig.newBuilder()
                                    .webSocketUri(uri)
                                    .maxFramePayloadLength(4 << 20)
                                    .handleCloseFrames(false)
                                    .build()));
                    ch.pipeline().addLast(client);
                  }
                })
            .connect(gateway.address())
            .sync()
            .channel();
    assertThat(client.handshaken.await(30, TimeUnit.SECONDS)).isTrue();
    return channel;
  }

  @Test
  void textAndBinaryFramesAreEchoedThroughTheGateway() throws Exception {
    Client client = new Client();
    Channel channel = connect(client);
    channel.writeAndFlush(new TextWebSocketFrame("hello through the gateway"));
    assertThat(client.received.poll(30, TimeUnit.SECONDS)).isEqualTo("hello through the gateway");

    byte[] payload = new byte[3 * 1024 * 1024]; // many TCP reads each way
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 7);
    }
    for (int i = 0; i < 3; i++) {
      channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)));
    }
    for (int i = 0; i < 3; i++) {
      assertThat((byte[]) client.received.poll(60, TimeUnit.SECONDS)).isEqualTo(payload);
    }
    channel.writeAndFlush(new TextWebSocketFrame("ünïcode ✓"));
    assertThat(client.received.poll(30, TimeUnit.SECONDS)).isEqualTo("ünïcode ✓");

    // The upgrade went through the forwarding path like any request.
    assertThat(upgradeHeaders).containsKey("x-request-id").containsKey("x-forwarded-for");
    assertThat(upgradeHeaders.get("upgrade")).isEqualToIgnoringCase("websocket");
    channel.close().sync();
  }

  @Test
  void clientCloseFrameAndCloseReachTheUpstream() throws Exception {
    Client client = new Client();
    Channel channel = connect(client);
    channel.writeAndFlush(new TextWebSocketFrame("ping"));
    assertThat(client.received.poll(30, TimeUnit.SECONDS)).isEqualTo("ping");
    channel.writeAndFlush(new CloseWebSocketFrame(1000, "done"));
    // The server answers the close frame and closes; the gateway closes the client side then.
    assertThat(upstreamClosed.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(channel.closeFuture().await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void upstreamCloseClosesTheClient() throws Exception {
    Client client = new Client();
    Channel channel = connect(client);
    channel.writeAndFlush(new TextWebSocketFrame("bye"));
    assertThat(channel.closeFuture().await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void clientDisconnectClosesTheUpstreamConnection() throws Exception {
    Client client = new Client();
    Channel channel = connect(client);
    channel.writeAndFlush(new TextWebSocketFrame("x"));
    assertThat(client.received.poll(30, TimeUnit.SECONDS)).isEqualTo("x");
    channel.close().sync();
    assertThat(upstreamClosed.await(30, TimeUnit.SECONDS)).isTrue();
  }
}
