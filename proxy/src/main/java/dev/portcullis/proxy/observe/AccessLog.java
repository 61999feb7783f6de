package dev.portcullis.proxy.observe;

import dev.portcullis.core.identity.Principal;
import dev.portcullis.proxy.upstream.Target;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log. Each event loop formats its lines into a block of bytes of its own (64 KiB) and
 * hands a block to one writer thread when it is full, and every {@value #HAND_OFF_MILLIS} ms
 * otherwise, through a bounded lock-free queue (JCTools); the writer writes blocks and returns them
 * for reuse. An event loop never waits: when the queue is full, the block's lines are dropped and
 * counted.
 *
 * <p>Why the loop formats: a line was an object handed to the writer to format, which cost more in
 * all (the object and its strings, the writer's char-by-char formatting and encoding, reading
 * another thread's fresh objects) than writing bytes where the values are still in cache (the log
 * cost 2.3 µs per request before, 1.6 after, log on against off); and a block is one queue
 * operation and one write system call for hundreds of lines. The writer parks between blocks rather
 * than being woken, so producers never pay for an unpark (a system call).
 *
 * <p>Threading: {@link #log} from any thread, usually an event loop (a thread that is not an event
 * loop hands off each line as it comes); a thread's block is touched only by that thread, by its
 * loop's hand-off timer (which runs on the loop), and by {@link #close}, which must run after those
 * threads have stopped logging (the gateway closes it after its event loops terminate). The output
 * stream is touched only by the writer thread, and after it stops by {@link #close}.
 */
final class AccessLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
  static final int BLOCK_BYTES = 64 * 1024;
  static final long HAND_OFF_MILLIS = 100;
  // Measured end to end: waking every 50 µs cost the event loops ~14 µs per request on a shared
  // core (futex and write syscalls). Blocks come at most every 100 ms per loop when traffic is
  // light, and a full one is hundreds of lines, so the writer can sleep long.
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final MpscArrayQueue<Block> filled;
  private final MpmcArrayQueue<Block> spare;
  private final int blockBytes;
  private final OutputStream out;
  private final boolean closeOut;
  private final Clock clock;
  private final CounterDataPoint droppedQueueFull;
  private final CounterDataPoint droppedWriteError;
  private final Thread writer;
  private final FastThreadLocal<LineBuffer> buffers =
      new FastThreadLocal<>() {
        @Override
        protected LineBuffer initialValue() {
          LineBuffer buffer = new LineBuffer();
          allBuffers.add(buffer);
          return buffer;
        }
      };
  private final Queue<LineBuffer> allBuffers = new ConcurrentLinkedQueue<>();
  private volatile boolean closing;
  private volatile boolean everyBlockHandedOff;
  private boolean writeErrorLogged;

  /**
   * @param capacity blocks the queue to the writer holds (rounded up to a power of two)
   * @param blockBytes the size of a block; a line longer than that goes in a block of its own
   * @param closeOut whether {@link #close} closes {@code out} (a file) or only flushes it (stdout)
   */
  AccessLog(
      OutputStream out,
      boolean closeOut,
      int capacity,
      int blockBytes,
      Clock clock,
      CounterDataPoint droppedQueueFull,
      CounterDataPoint droppedWriteError) {
    this.filled = new MpscArrayQueue<>(capacity);
    this.spare = new MpmcArrayQueue<>(Math.max(2, capacity / 4));
    this.blockBytes = blockBytes;
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

  /** Adds the exchange's line to this thread's block. Never blocks. */
  void log(ExchangeRecord exchange) {
    LineBuffer buffer = buffers.get();
    buffer.exchange.of(exchange, clock.millis());
    buffer.append(buffer.exchange, exchange.executor());
    buffer.exchange.clear();
  }

  /**
   * Adds a line to this thread's block. When {@code executor} is the calling thread's event loop,
   * the block is handed off when full and on a timer there; on any other thread, at once.
   */
  void append(AccessLogLine line, Executor executor) {
    buffers.get().append(line, executor);
  }

  /** A block of whole lines. */
  private static final class Block {
    final byte[] bytes;
    int length;
    int lines;

    Block(int size) {
      this.bytes = new byte[size];
    }
  }

  /** One thread's formatter and block. */
  private final class LineBuffer {
    final AccessLogFormatter formatter = new AccessLogFormatter();
    final ExchangeLine exchange = new ExchangeLine();
    Block block;
    boolean timerChecked;
    ScheduledFuture<?> timer;

    void append(AccessLogLine line, Executor executor) {
      if (!timerChecked) {
        timerChecked = true;
        startTimer(executor);
      }
      formatter.format(line, true);
      int size = formatter.length();
      if (block != null && block.bytes.length - block.length < size) {
        handOff();
      }
      if (block == null) {
        block = size <= blockBytes ? takeBlock() : new Block(size);
      }
      System.arraycopy(formatter.bytes(), 0, block.bytes, block.length, size);
      block.length += size;
      block.lines++;
      if (timer == null || closing) {
        handOff(); // nobody would hand it off later
      }
    }

    private void startTimer(Executor executor) {
      if (executor instanceof EventExecutor loop && loop.inEventLoop()) {
        timer =
            loop.scheduleAtFixedRate(
                this::handOff, HAND_OFF_MILLIS, HAND_OFF_MILLIS, TimeUnit.MILLISECONDS);
      }
    }

    void handOff() {
      Block full = block;
      if (full == null || full.lines == 0) {
        return;
      }
      block = null;
      if (!filled.offer(full)) {
        droppedQueueFull.inc(full.lines);
        recycle(full);
      }
    }

    /** For {@link #close}: waits for room in the queue while the writer is still writing. */
    void stop() {
      if (timer != null) {
        timer.cancel(false);
      }
      Block last = block;
      if (last == null || last.lines == 0) {
        return;
      }
      block = null;
      while (!filled.offer(last)) {
        if (!writer.isAlive()) {
          droppedQueueFull.inc(last.lines);
          return;
        }
        LockSupport.parkNanos(MIN_PARK_NANOS);
      }
    }
  }

  private Block takeBlock() {
    Block block = spare.relaxedPoll();
    return block != null ? block : new Block(blockBytes);
  }

  private void recycle(Block block) {
    if (block.bytes.length == blockBytes) {
      block.length = 0;
      block.lines = 0;
      spare.relaxedOffer(block);
    }
  }

  private void drain() {
    long park = MIN_PARK_NANOS;
    boolean unflushed = false;
    while (true) {
      Block block = filled.relaxedPoll();
      if (block != null) {
        write(block);
        recycle(block);
        unflushed = true;
        park = MIN_PARK_NANOS;
        continue;
      }
      if (unflushed) {
        flush();
        unflushed = false;
      }
      if (everyBlockHandedOff && filled.isEmpty()) {
        return;
      }
      LockSupport.parkNanos(this, park);
      park = Math.min(park * 2, MAX_PARK_NANOS);
    }
  }

  private void write(Block block) {
    try {
      out.write(block.bytes, 0, block.length);
    } catch (IOException e) {
      droppedWriteError.inc(block.lines);
      if (!writeErrorLogged) {
        writeErrorLogged = true; // a full disk would otherwise log once per block
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

  /**
   * Hands off every thread's block, writes what is queued, then stops the writer and closes a file
   * destination. Call after the threads that log have stopped.
   */
  @Override
  public void close() {
    closing = true;
    for (LineBuffer buffer : allBuffers) {
      buffer.stop();
    }
    everyBlockHandedOff = true;
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

  /**
   * An exchange read as a line: one per thread, pointed at each exchange in turn, so logging
   * allocates nothing.
   */
  private static final class ExchangeLine implements AccessLogLine {
    private ExchangeRecord exchange;
    private long nowEpochMillis;
    private Principal principal;

    void of(ExchangeRecord exchange, long nowEpochMillis) {
      this.exchange = exchange;
      this.nowEpochMillis = nowEpochMillis;
      this.principal = exchange.get(Principal.KEY);
    }

    void clear() {
      exchange = null;
      principal = null;
    }

    @Override
    public long startEpochMillis() {
      return nowEpochMillis - exchange.durationNanos() / 1_000_000;
    }

    @Override
    public long durationNanos() {
      return exchange.durationNanos();
    }

    @Override
    public String method() {
      return exchange.method().name();
    }

    @Override
    public String path() {
      return exchange.path();
    }

    @Override
    public int status() {
      return exchange.status();
    }

    @Override
    public InetSocketAddress client() {
      return exchange.clientAddress();
    }

    @Override
    public long requestBodyBytes() {
      return exchange.requestBodyBytes();
    }

    @Override
    public long responseBodyBytes() {
      return exchange.responseBodyBytes();
    }

    @Override
    public String route() {
      return exchange.route() == null ? null : exchange.route().name();
    }

    @Override
    public Target target() {
      return exchange.upstreamTarget();
    }

    @Override
    public String requestId() {
      return exchange.requestId();
    }

    @Override
    public String traceId() {
      return exchange.traceId();
    }

    @Override
    public String userId() {
      return principal == null ? null : principal.subject();
    }

    @Override
    public String authMethod() {
      return principal == null ? null : principal.authMethod();
    }

    @Override
    public String userAgent() {
      return exchange.requestHeaders().get(HttpHeaderNames.USER_AGENT);
    }

    @Override
    public long upstreamNanos() {
      return exchange.upstreamNanos();
    }
  }
}
