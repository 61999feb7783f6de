package dev.portcullis.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdleConnectionHandlerTest {
  private static final long TIMEOUT_MILLIS = 800;

  private final AtomicInteger idleEvents = new AtomicInteger();
  private final EmbeddedChannel channel = new EmbeddedChannel();

  IdleConnectionHandlerTest() {
    channel.freezeTime();
    channel
        .pipeline()
        .addLast(new IdleConnectionHandler(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS)))
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent) {
                  idleEvents.incrementAndGet();
                }
              }

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
              }
            });
  }

  /** Moves the channel's clock on in 10 ms steps, running what comes due. */
  private void advance(long millis) {
    for (long step = 0; step < millis; step += 10) {
      channel.advanceTimeBy(10, TimeUnit.MILLISECONDS);
      channel.runScheduledPendingTasks();
    }
  }

  @Test
  void aQuietConnectionIsIdleAfterTheTimeoutNotBeforeAndNotMuchLater() {
    advance(TIMEOUT_MILLIS - 10);
    assertThat(idleEvents).hasValue(0);
    advance(TIMEOUT_MILLIS / 4 + 20);
    assertThat(idleEvents).hasValue(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void readsAndWritesKeepItActiveAndTheTimeoutCountsFromTheLastOne() {
    for (int i = 0; i < 10; i++) {
      advance(TIMEOUT_MILLIS / 2);
      if (i % 2 == 0) {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
      } else {
        channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {1}));
        ReferenceCountUtil.release(channel.readOutbound());
      }
    }
    assertThat(idleEvents).hasValue(0);
    advance(TIMEOUT_MILLIS - 20);
    assertThat(idleEvents).as("within a timeout of the last write").hasValue(0);
    advance(TIMEOUT_MILLIS / 4 + 40);
    assertThat(idleEvents).hasValue(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void anIdleConnectionLeftOpenIsToldAgainEveryTimeout() {
    advance(TIMEOUT_MILLIS * 3 + TIMEOUT_MILLIS / 2);
    assertThat(idleEvents).hasValue(3);
    channel.finishAndReleaseAll();
  }

  @Test
  void nothingFiresAfterTheConnectionCloses() {
    advance(TIMEOUT_MILLIS / 2);
    channel.close();
    advance(TIMEOUT_MILLIS * 3);
    assertThat(idleEvents).hasValue(0);
  }
}
