package dev.portcullis.proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin listener (loopback by default): health, metrics and key management. Other modules add
 * GET endpoints with {@link #register} and routes of any method, with path parameters and
 * asynchronous replies, with {@link #route}, before {@link #bind}.
 */
public final class AdminServer {
  private static final int MAX_ADMIN_REQUEST_BYTES = 64 * 1024;

  private final Map<String, AdminEndpoint> endpoints = new LinkedHashMap<>();
  private final List<RouteEntry> routes = new ArrayList<>();
  private Channel channel;

  record RouteEntry(HttpMethod method, RoutePattern pattern, AdminRoute route) {}

  public AdminServer register(String path, AdminEndpoint endpoint) {
    if (endpoints.putIfAbsent(path, endpoint) != null) {
      throw new IllegalArgumentException("admin path registered twice: " + path);
    }
    return this;
  }

  /**
   * Adds a route: {@code method} on paths matching {@code pattern}, whose {@code {name}} segments
   * become path parameters. The first route registered wins when two match.
   */
  public AdminServer route(HttpMethod method, String pattern, AdminRoute route) {
    routes.add(new RouteEntry(method, new RoutePattern(pattern), route));
    return this;
  }

  public InetSocketAddress bind(
      EventLoopGroup group, Class<? extends ServerChannel> channelType, String address, int port)
      throws InterruptedException {
    AdminHandler handler = new AdminHandler(Map.copyOf(endpoints), List.copyOf(routes));
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(channelType)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast("http-codec", new HttpServerCodec())
                        .addLast("aggregator", new HttpObjectAggregator(MAX_ADMIN_REQUEST_BYTES))
                        .addLast("admin", handler);
                  }
                })
            .bind(address, port)
            .sync()
            .channel();
    return (InetSocketAddress) channel.localAddress();
  }

  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
  }
}
