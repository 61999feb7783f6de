package dev.portcullis.proxy.forward;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lifecycle state shared by every downstream connection: whether the gateway drains, how many
 * exchanges are in flight, and the open client connections (to close idle ones when draining). The
 * in-flight count is a LongAdder so two event loops never contend on one cache line per request; it
 * is summed only while draining.
 */
public final class GatewayState {
  private final LongAdder inFlight = new LongAdder();
  private final java.util.concurrent.atomic.AtomicInteger openConnections =
      new java.util.concurrent.atomic.AtomicInteger();
  private final ChannelGroup connections =
      new DefaultChannelGroup("downstream", GlobalEventExecutor.INSTANCE);
  private volatile boolean ready;
  private volatile boolean draining;

  public boolean ready() {
    return ready && !draining;
  }

  public void markReady() {
    ready = true;
  }

  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }

  public long inFlight() {
    return inFlight.sum();
  }

  public ChannelGroup connections() {
    return connections;
  }

  /** Counts a new client connection unless {@code max} are open already. */
  boolean tryOpenConnection(int max) {
    for (; ; ) {
      int current = openConnections.get();
      if (current >= max) {
        return false;
      }
      if (openConnections.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  void connectionClosed() {
    openConnections.decrementAndGet();
  }

  public int openConnections() {
    return openConnections.get();
  }

  void exchangeStarted() {
    inFlight.increment();
  }

  void exchangeEnded() {
    inFlight.decrement();
  }
}
