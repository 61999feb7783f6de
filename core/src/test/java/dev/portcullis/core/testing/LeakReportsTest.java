package dev.portcullis.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakReportsTest {

  @Test
  void aBufferDroppedWithoutReleaseIsReported() throws Exception {
    assertThat(LeakReports.installed()).as("installed by the launcher session listener").isTrue();
    leakOne();
    List<String> reports = List.of();
    for (int i = 0; i < 20 && reports.isEmpty(); i++) {
      System.gc();
      Thread.sleep(20);
      for (int j = 0; j < 16; j++) {
        PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
      }
      reports = LeakReports.drain();
    }
    assertThat(reports).isNotEmpty();
    assertThat(reports.get(0)).startsWith("LEAK: ByteBuf");
  }

  private static void leakOne() {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
    leaked.writeInt(42);
  }
}
