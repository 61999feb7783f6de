package dev.portcullis.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Auto-registered for every
 * test class (META-INF/services plus {@code junit.jupiter.extensions.autodetection.enabled}).
 *
 * <p>Netty notices a leak only when a buffer is garbage collected and a later allocation polls the
 * reference queue, so the check collects garbage and allocates a few buffers before it looks.
 */
public final class LeakCheckExtension implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (!LeakReports.installed()) {
      return;
    }
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(50);
      for (int i = 0; i < 64; i++) {
        ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        pooled.release();
        ByteBuf heap = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
        heap.release();
      }
    }
    List<String> reports = LeakReports.drain();
    if (!reports.isEmpty()) {
      throw new AssertionError(
          reports.size()
              + " Netty buffer leak report(s) in "
              + context.getDisplayName()
              + ":\n"
              + String.join("\n", reports));
    }
  }
}
