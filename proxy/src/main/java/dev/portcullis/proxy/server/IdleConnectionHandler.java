package dev.portcullis.proxy.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} when a client connection has neither read nor
 * written anything for the idle timeout, and again every timeout while it stays idle.
 *
 * <p>Why not Netty's {@code IdleStateHandler}: it reads the clock after every read burst and hangs
 * a listener on every write, which turns the engine's void promises into real ones: an allocation,
 * a completion notification and a clock read per response part. Here a read or a write only sets a
 * flag, and a check that runs every eighth of the timeout turns the flag into a time. So a
 * connection is declared idle between one timeout and a timeout and a quarter after its last
 * activity. A write counts when it is made rather than when it completes: a client that stops
 * reading stops the writes too (the engine waits for writability), so it still goes idle.
 *
 * <p>Threading: one instance per connection, on its event loop.
 */
final class IdleConnectionHandler extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private final long checkNanos;
  private boolean active;
  private long lastActiveNanos;
  private ScheduledFuture<?> check;
  private Runnable checkTask;
  private boolean stopped;

  IdleConnectionHandler(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
    this.checkNanos = Math.max(timeoutNanos / 8, TimeUnit.MILLISECONDS.toNanos(1));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    active = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    active = true;
    ctx.write(msg, promise);
  }

  private void start(ChannelHandlerContext ctx) {
    if (checkTask != null || stopped) {
      return;
    }
    lastActiveNanos = ctx.executor().ticker().nanoTime();
    checkTask = () -> check(ctx);
    check = ctx.executor().schedule(checkTask, checkNanos, TimeUnit.NANOSECONDS);
  }

  private void stop() {
    stopped = true;
    if (check != null) {
      check.cancel(false);
    }
  }

  private void check(ChannelHandlerContext ctx) {
    if (stopped || !ctx.channel().isOpen()) {
      return;
    }
    long now = ctx.executor().ticker().nanoTime();
    if (active) {
      active = false;
      lastActiveNanos = now;
    } else if (now - lastActiveNanos >= timeoutNanos) {
      lastActiveNanos = now; // while it stays idle, the event comes again every timeout
      ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }
    check = ctx.executor().schedule(checkTask, checkNanos, TimeUnit.NANOSECONDS);
  }
}
