package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.HealthCheckConfig;
import dev.portcullis.proxy.observe.TargetObserver;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one target: every {@code interval}, a GET of the configured path on a
 * fresh connection (so the check covers connecting too), with {@code Connection: close}; a 2xx
 * response head within {@code timeout} is a success. {@code unhealthy_threshold} failures in a row
 * mark the target unhealthy in its {@link TargetHealth}, {@code healthy_threshold} successes in a
 * row mark it healthy again. Targets start healthy, and the first check runs at start-up.
 *
 * <p>Threading: everything runs on one event loop, never blocking it; the next check is scheduled
 * when the previous one ended, so checks of a slow target never pile up. Buffers: every response
 * part is released as it arrives.
 */
final class HealthChecker {
  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  private final Target target;
  private final HealthCheckConfig config;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final TargetHealth health;
  private final TargetObserver observer;
  private int successes;
  private int failures;
  private ScheduledFuture<?> next;
  private volatile boolean stopped;

  HealthChecker(
      Target target,
      HealthCheckConfig config,
      EventLoop loop,
      Class<? extends Channel> channelType,
      SslContext sslContext,
      TargetHealth health,
      TargetObserver observer) {
    this.target = target;
    this.config = config;
    this.loop = loop;
    this.health = health;
    this.observer = observer;
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
            .remoteAddress(target.host(), target.port())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (sslContext != null) {
                      ch.pipeline()
                          .addLast(
                              "tls",
                              sslContext.newHandler(ch.alloc(), target.host(), target.port()));
                    }
                    ch.pipeline().addLast("codec", new HttpClientCodec());
                  }
                });
  }

  void start() {
    loop.execute(this::check);
  }

  void stop() {
    stopped = true;
    try {
      loop.execute(
          () -> {
            if (next != null) {
              next.cancel(false);
            }
          });
    } catch (RejectedExecutionException e) {
      // The loop is already shutting down, and its scheduled checks with it.
    }
  }

  private void check() {
    if (stopped) {
      return;
    }
    ChannelFuture connect = bootstrap.connect();
    Probe probe = new Probe(connect.channel());
    connect.channel().pipeline().addLast("probe", probe);
    probe.timeout =
        loop.schedule(() -> probe.finish(false), config.timeout().toNanos(), TimeUnit.NANOSECONDS);
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            probe.finish(false);
            return;
          }
          FullHttpRequest request =
              new DefaultFullHttpRequest(
                  HttpVersion.HTTP_1_1, HttpMethod.GET, config.path(), Unpooled.EMPTY_BUFFER);
          request.headers().set(HttpHeaderNames.HOST, target.authority());
          request.headers().set(HttpHeaderNames.USER_AGENT, "portcullis-health-check");
          request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
          connect.channel().writeAndFlush(request);
        });
  }

  private void result(boolean ok) {
    observer.healthChecked(ok);
    if (ok) {
      failures = 0;
      successes++;
      if (!health.healthy() && successes >= config.healthyThreshold()) {
        health.markHealthy(true);
        log.info("upstream {} target {} is healthy again", target.upstream(), target);
      }
    } else {
      successes = 0;
      failures++;
      if (health.healthy() && failures >= config.unhealthyThreshold()) {
        health.markHealthy(false);
        log.warn(
            "upstream {} target {} failed {} health checks in a row: taken out of balancing",
            target.upstream(),
            target,
            failures);
      }
    }
    if (!stopped) {
      next = loop.schedule(this::check, config.interval().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** One check's connection: the first response head decides, then the connection closes. */
  private final class Probe extends ChannelInboundHandlerAdapter {
    private final Channel channel;
    private ScheduledFuture<?> timeout;
    private boolean done;

    Probe(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse response) {
          finish(
              response.decoderResult().isSuccess()
                  && response.status().codeClass() == HttpStatusClass.SUCCESS);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      finish(false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      finish(false);
    }

    void finish(boolean ok) {
      if (done) {
        return;
      }
      done = true;
      if (timeout != null) {
        timeout.cancel(false);
      }
      channel.close();
      result(ok);
    }
  }
}
