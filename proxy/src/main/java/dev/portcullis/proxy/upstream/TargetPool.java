package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.UpstreamConfig;
import dev.portcullis.core.pipeline.HeaderNames;
import dev.portcullis.proxy.observe.TargetObserver;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to one target, for one event loop. Touched only from that loop: plain
 * collections, no locks. The idle deque is LIFO (most recently used first) so a lightly loaded
 * gateway keeps few warm connections and lets the rest age out.
 *
 * <p>Acquisition order: an idle connection; else a new one while the target's shared {@link
 * TargetBudget} has a permit; else a bounded FIFO wait queue, each waiter with a deadline.
 */
public final class TargetPool {
  private static final int MAX_RESPONSE_INITIAL_LINE = 8 * 1024;
  private static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;
  private static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final EventLoop loop;
  private final Target target;
  private final UpstreamConfig config;
  private final TargetBudget budget;
  private final Bootstrap bootstrap;
  private final TargetObserver observer;
  private final TargetHealth health;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private final long idleTimeoutNanos;
  private volatile boolean hasWaiters;
  private volatile int idleCount;
  private int inFlight;
  private ScheduledFuture<?> idleSweep;
  private boolean closed;

  TargetPool(
      EventLoop loop,
      Target target,
      UpstreamConfig config,
      TargetBudget budget,
      Class<? extends Channel> channelType,
      SslContext sslContext,
      TargetObserver observer,
      TargetHealth health) {
    this.loop = loop;
    this.observer = observer;
    this.health = health;
    this.target = target;
    this.config = config;
    this.budget = budget;
    this.idleTimeoutNanos = config.idleTimeout().toNanos();
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            .remoteAddress(target.host(), target.port())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (sslContext != null) {
                      // The peer host gives SNI and the name the certificate is checked against.
                      SslHandler tls =
                          sslContext.newHandler(ch.alloc(), target.host(), target.port());
                      tls.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
                      p.addLast("tls", tls);
                    }
                    p.addLast(
                        "codec",
                        new HttpClientCodec(
                            new HttpDecoderConfig()
                                .setMaxInitialLineLength(MAX_RESPONSE_INITIAL_LINE)
                                .setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES)
                                .setMaxChunkSize(MAX_CHUNK_BYTES)
                                .setHeadersFactory(HeaderNames.headersFactory()),
                            false,
                            false));
                  }
                });
  }

  public Target target() {
    return target;
  }

  /** Where this target's metrics go; shared by the target's pools on every loop. */
  public TargetObserver observer() {
    return observer;
  }

  /** Whether the target may be called: breaker, ejection, health checks; shared by every loop. */
  public TargetHealth health() {
    return health;
  }

  EventLoop executor() {
    return loop;
  }

  boolean hasWaiters() {
    return hasWaiters;
  }

  int idleCount() {
    return idleCount;
  }

  /** Requests in flight through this pool on this loop: what least-request balancing compares. */
  int inFlight() {
    return inFlight;
  }

  /** Connections to this target across all loops. */
  public int openConnections() {
    return budget.open();
  }

  /** Acquires a connection for {@code callback}; the answer may come now or later, on this loop. */
  public void acquire(AcquireCallback callback) {
    assert loop.inEventLoop();
    inFlight++;
    UpstreamConnection connection;
    while ((connection = idle.pollFirst()) != null) {
      idleCount = idle.size();
      if (connection.channel().isActive()) {
        connection.markReused();
        hand(connection, callback);
        return;
      }
    }
    if (!closed && budget.tryReserve()) {
      connect(callback);
      return;
    }
    if (closed || waiters.size() >= config.maxPendingRequests()) {
      inFlight--;
      callback.onAcquireFailed(AcquireFailure.POOL_EXHAUSTED, null);
      return;
    }
    Waiter waiter = new Waiter(callback);
    waiter.timeout =
        loop.schedule(waiter, config.responseTimeout().toNanos(), TimeUnit.NANOSECONDS);
    waiters.addLast(waiter);
    hasWaiters = true;
    budget.requestIdleConnection(this);
  }

  /**
   * A new connection for {@code callback} that will not come back to the pool (a WebSocket tunnel
   * takes it over): counted against the target's connection limit until it closes, never queued.
   */
  public void acquireNew(AcquireCallback callback) {
    assert loop.inEventLoop();
    inFlight++;
    if (!closed && budget.tryReserve()) {
      connect(callback);
      return;
    }
    inFlight--;
    callback.onAcquireFailed(AcquireFailure.POOL_EXHAUSTED, null);
  }

  /** The connection leaves the pool's care; its permit returns when it closes. */
  void detach(UpstreamConnection connection) {
    inFlight--;
  }

  private void hand(UpstreamConnection connection, AcquireCallback callback) {
    connection.bind(callback.listener());
    callback.onAcquired(connection);
  }

  private void connect(AcquireCallback callback) {
    long connectStart = System.nanoTime();
    ChannelFuture future = bootstrap.connect();
    Channel channel = future.channel();
    UpstreamConnection connection = new UpstreamConnection(channel, this);
    // Added before the connect completes so the relay sees channelActive/Inactive from the start.
    channel.pipeline().addLast("relay", new UpstreamResponseRelayHandler(connection));
    future.addListener(
        f -> {
          SslHandler tls = channel.pipeline().get(SslHandler.class);
          if (f.isSuccess() && tls != null) {
            // A TLS target is connected once its handshake is done: a certificate that does not
            // verify is a failed connect (502), never a request half sent.
            tls.handshakeFuture()
                .addListener(
                    h -> {
                      if (h.isSuccess()) {
                        connected(connection, callback, h, connectStart);
                      } else {
                        // The channel was active: its close hands the permit back (onClosed).
                        observer.connectFailed();
                        inFlight--;
                        channel.close();
                        callback.onAcquireFailed(AcquireFailure.CONNECT_FAILED, h.cause());
                      }
                    });
            return;
          }
          connected(connection, callback, f, connectStart);
        });
  }

  private void connected(
      UpstreamConnection connection,
      AcquireCallback callback,
      io.netty.util.concurrent.Future<?> f,
      long connectStart) {
    if (f.isSuccess()) {
      observer.connected(System.nanoTime() - connectStart);
      hand(connection, callback);
    } else {
      observer.connectFailed();
      inFlight--;
      budget.release(this);
      callback.onAcquireFailed(AcquireFailure.CONNECT_FAILED, f.cause());
    }
  }

  void release(UpstreamConnection connection, boolean reusable) {
    inFlight--;
    Channel channel = connection.channel();
    if (!reusable || closed || !channel.isActive()) {
      channel.close();
      return;
    }
    Waiter waiter = waiters.pollFirst();
    if (waiter != null) {
      hasWaiters = !waiters.isEmpty();
      waiter.timeout.cancel(false);
      inFlight++;
      connection.markReused();
      hand(connection, waiter.callback);
      return;
    }
    if (budget.exhausted() && budget.othersWaiting(this)) {
      // Another loop waits for a permit this loop would only keep idle.
      channel.close();
      return;
    }
    connection.idleSince(System.nanoTime());
    idle.addFirst(connection);
    idleCount = idle.size();
    scheduleIdleSweep();
  }

  /** The channel of a connection closed: forget it and give its permit back. */
  void onClosed(UpstreamConnection connection) {
    if (idle.remove(connection)) {
      idleCount = idle.size();
    }
    budget.release(this);
  }

  /** A permit may be free (another loop closed a connection): serve the oldest waiter. */
  void onPermitAvailable() {
    Waiter waiter = waiters.peekFirst();
    if (waiter == null || closed) {
      return;
    }
    if (budget.tryReserve()) {
      waiters.pollFirst();
      hasWaiters = !waiters.isEmpty();
      waiter.timeout.cancel(false);
      connect(waiter.callback);
    }
  }

  void closeOneIdle() {
    UpstreamConnection oldest = idle.pollLast();
    if (oldest != null) {
      idleCount = idle.size();
      oldest.channel().close();
    }
  }

  private void scheduleIdleSweep() {
    if (idleSweep == null) {
      long period = Math.max(idleTimeoutNanos / 2, TimeUnit.MILLISECONDS.toNanos(10));
      idleSweep = loop.scheduleAtFixedRate(this::sweepIdle, period, period, TimeUnit.NANOSECONDS);
    }
  }

  private void sweepIdle() {
    long now = System.nanoTime();
    // Oldest connections sit at the tail of the LIFO deque.
    for (Iterator<UpstreamConnection> it = idle.descendingIterator(); it.hasNext(); ) {
      UpstreamConnection connection = it.next();
      if (now - connection.idleSinceNanos() < idleTimeoutNanos) {
        break;
      }
      it.remove();
      connection.channel().close();
    }
    idleCount = idle.size();
  }

  /** Closes idle connections and fails waiters; connections in use close when released. */
  void close() {
    closed = true;
    if (idleSweep != null) {
      idleSweep.cancel(false);
    }
    UpstreamConnection connection;
    while ((connection = idle.pollFirst()) != null) {
      connection.channel().close();
    }
    idleCount = 0;
    Waiter waiter;
    while ((waiter = waiters.pollFirst()) != null) {
      waiter.timeout.cancel(false);
      inFlight--;
      waiter.callback.onAcquireFailed(AcquireFailure.POOL_EXHAUSTED, null);
    }
    hasWaiters = false;
  }

  private final class Waiter implements Runnable {
    final AcquireCallback callback;
    ScheduledFuture<?> timeout;

    Waiter(AcquireCallback callback) {
      this.callback = callback;
    }

    @Override
    public void run() {
      if (waiters.remove(this)) {
        hasWaiters = !waiters.isEmpty();
        inFlight--;
        callback.onAcquireFailed(AcquireFailure.WAIT_TIMEOUT, null);
      }
    }
  }
}
