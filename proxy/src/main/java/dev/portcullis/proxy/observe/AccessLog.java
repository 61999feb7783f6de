package dev.portcullis.proxy.observe;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: event loops hand entries to one writer thread through a bounded lock-free MPSC
 * array queue (JCTools). An event loop never waits: when the queue is full, the line is dropped and
 * counted. The writer formats, writes and, once the queue is empty, flushes and parks briefly, so
 * producers never pay for waking it (an unpark per request would be a syscall per request).
 *
 * <p>Threading: {@link #log} from any event loop; everything else from the thread that owns the
 * gateway. The output stream is touched only by the writer thread, and after it stops by {@link
 * #close}. A line goes out as its UTF-8 bytes to a buffered stream: fewer copies than a Writer
 * chain (char buffer, charset encoder, byte buffer), and this thread shares the event loop's core.
 */
final class AccessLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
  // Measured end to end: waking every 50 µs and flushing whenever the queue ran dry cost the event
  // loops ~14 µs per request on a shared core (futex and write syscalls); at 1 ms the wake-ups
  // still took a third of this thread's time. A line may now wait up to a flush interval, which no
  // reader of an access log notices; the queue holds far more than 5 ms of requests.
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long FLUSH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final MpscArrayQueue<AccessLogEntry> queue;
  private final OutputStream out;
  private final boolean closeOut;
  private final Clock clock;
  private final CounterDataPoint droppedQueueFull;
  private final CounterDataPoint droppedWriteError;
  private final Thread writer;
  private volatile boolean closing;
  private boolean writeErrorLogged;

  /**
   * @param capacity entries the queue holds (rounded up to a power of two)
   * @param closeOut whether {@link #close} closes {@code out} (a file) or only flushes it (stdout)
   */
  AccessLog(
      OutputStream out,
      boolean closeOut,
      int capacity,
      Clock clock,
      CounterDataPoint droppedQueueFull,
      CounterDataPoint droppedWriteError) {
    this.queue = new MpscArrayQueue<>(capacity);
    this.out = out;
    this.closeOut = closeOut;
    this.clock = clock;
    this.droppedQueueFull = droppedQueueFull;
    this.droppedWriteError = droppedWriteError;
    this.writer = new Thread(this::drain, "portcullis-access-log");
    this.writer.setDaemon(true);
  }

  void start() {
    writer.start();
  }

  /** Queues the exchange's line; drops and counts it when the queue is full. Never blocks. */
  void log(ExchangeRecord exchange) {
    offer(AccessLogEntry.of(exchange, clock.millis()));
  }

  void offer(AccessLogEntry entry) {
    if (!queue.offer(entry)) {
      droppedQueueFull.inc();
    }
  }

  private void drain() {
    StringBuilder line = new StringBuilder(512);
    AccessLogEntry.Formatter formatter = new AccessLogEntry.Formatter();
    long park = MIN_PARK_NANOS;
    boolean unflushed = false;
    long lastFlush = System.nanoTime();
    while (true) {
      AccessLogEntry entry = queue.relaxedPoll();
      if (entry != null) {
        line.setLength(0);
        formatter.append(entry, line);
        line.append('\n');
        write(line);
        unflushed = true;
        park = MIN_PARK_NANOS;
        continue;
      }
      if (unflushed && (closing || System.nanoTime() - lastFlush >= FLUSH_INTERVAL_NANOS)) {
        flush();
        unflushed = false;
        lastFlush = System.nanoTime();
      }
      if (closing && queue.isEmpty()) {
        if (unflushed) {
          flush();
        }
        return;
      }
      LockSupport.parkNanos(this, park);
      park = Math.min(park * 2, MAX_PARK_NANOS);
    }
  }

  private void write(StringBuilder line) {
    try {
      // Two array copies the JIT does as intrinsics (a Latin-1 line has no character to encode).
      out.write(line.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      droppedWriteError.inc();
      if (!writeErrorLogged) {
        writeErrorLogged = true; // a full disk would otherwise log once per request
        log.warn("access log: cannot write ({}); lines are dropped and counted", e.toString());
      }
    }
  }

  private void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      if (!writeErrorLogged) {
        writeErrorLogged = true;
        log.warn("access log: cannot flush ({})", e.toString());
      }
    }
  }

  /** Writes what is queued, then stops the writer and closes a file destination. */
  @Override
  public void close() {
    closing = true;
    if (writer.isAlive()) {
      LockSupport.unpark(writer);
      try {
        writer.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      if (closeOut) {
        out.close();
      } else {
        out.flush();
      }
    } catch (IOException e) {
      log.warn("access log: cannot close ({})", e.toString());
    }
  }
}
