package dev.portcullis.proxy.observe;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.portcullis.core.audit.AuditEvent;
import dev.portcullis.core.audit.AuditSink;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.ThreadExecutorMap;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;
import java.io.Writer;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one flat JSON line per {@link AuditEvent} ({@code timestamp, event, result,
 * user_id, ip_address, request_id}, then each detail such as {@code key_id} or {@code error_code}
 * under its own name: what security teams' SIEM rules key on), written by one writer thread fed
 * through a bounded lock-free MPSC queue (JCTools). Unlike the access log it never drops an event
 * because the queue is full:
 *
 * <ul>
 *   <li>a caller on a Netty event loop hands the event to the {@link AuditSpool}, whose own thread
 *       appends it to a spool file, and it is counted as spilled; the writer moves spooled lines to
 *       the output once its queue has room, so they appear later than their neighbours (every line
 *       carries its {@code timestamp});
 *   <li>any other caller (a worker waiting on JDBC, an admin task) parks until there is room, and
 *       is counted as blocked once per event.
 * </ul>
 *
 * <p>An event loop is recognised by Netty itself rather than by a thread name: every thread run by
 * a Netty {@code SingleThreadEventExecutor} (any transport, any group, including a client library's
 * own loops) has its executor in {@link ThreadExecutorMap}, and a thread made by Netty's thread
 * factory is a {@link FastThreadLocalThread} that does not permit blocking calls. A false positive
 * only spills an event that could have waited; a false negative would stall an event loop, so the
 * test leans towards the former.
 *
 * <p>Threading: {@link #record} from any thread; the {@code Writer} is touched only by the writer
 * thread and, after it stops, by {@link #close}.
 */
final class AuditLog implements AuditSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
  // Producers never wake the writer (a syscall per event), so this bounds how late a line of a
  // quiet
  // gateway is written; at 5 ms the idle writer woke 200 times a second, each wake-up costing the
  // event loops' core more than the events themselves.
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_BLOCKED_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

  /** The audit log's counters, resolved once. */
  record Counters(
      CounterDataPoint events,
      CounterDataPoint spilled,
      CounterDataPoint blocked,
      CounterDataPoint outputErrors,
      CounterDataPoint spoolErrors) {}

  private final MpscArrayQueue<AuditEvent> queue;
  private final int capacity;
  private final Writer out;
  private final boolean closeOut;
  private final AuditSpool spool;
  private final Counters counters;
  private final Thread writer;
  private volatile boolean closed;
  private boolean writeErrorLogged;

  /**
   * @param capacity events the queue holds (rounded up to a power of two)
   * @param closeOut whether {@link #close} closes {@code out} (a file) or only flushes it (stdout)
   */
  AuditLog(Writer out, boolean closeOut, int capacity, AuditSpool spool, Counters counters) {
    this.queue = new MpscArrayQueue<>(capacity);
    this.capacity = queue.capacity();
    this.out = out;
    this.closeOut = closeOut;
    this.spool = spool;
    this.counters = counters;
    this.writer = new Thread(this::drain, "portcullis-audit-log");
    this.writer.setDaemon(true);
  }

  void start() {
    writer.start();
  }

  /**
   * Queues the event. On an event loop this never waits (a full queue spills to the spool); on any
   * other thread it waits while the queue is full.
   *
   * @throws IllegalStateException when the log is closed
   */
  @Override
  public void record(AuditEvent event) {
    if (closed) {
      throw new IllegalStateException("audit log is closed; event " + event.action() + " lost");
    }
    counters.events().inc();
    if (queue.offer(event)) {
      return;
    }
    if (onEventLoop()) {
      counters.spilled().inc();
      spool.offer(event);
      return;
    }
    counters.blocked().inc();
    long park = MIN_PARK_NANOS;
    while (!queue.offer(event)) {
      if (closed) {
        throw new IllegalStateException("audit log is closed; event " + event.action() + " lost");
      }
      // Parking with a short back-off rather than a condition: the writer then never pays for a
      // signal per event, and waiting is the rare case.
      LockSupport.parkNanos(this, park);
      park = Math.min(park * 2, MAX_BLOCKED_PARK_NANOS);
    }
  }

  /** Whether the calling thread is one that must never block; see the class comment. */
  static boolean onEventLoop() {
    if (ThreadExecutorMap.currentExecutor() != null) {
      return true;
    }
    return Thread.currentThread() instanceof FastThreadLocalThread netty
        && !netty.permitBlockingCalls();
  }

  private void drain() {
    StringBuilder line = new StringBuilder(512);
    long park = MIN_PARK_NANOS;
    boolean unflushed = false;
    while (true) {
      // Spooled lines go out whenever the queue has room to spare, so a long burst cannot keep
      // them waiting until it ends.
      if (spool.pending() && queue.size() < capacity / 2) {
        try {
          if (spool.drainTo(out) > 0) {
            unflushed = true;
            park = MIN_PARK_NANOS;
            continue;
          }
        } catch (IOException e) {
          outputFailed(e);
        }
      }
      AuditEvent event = queue.relaxedPoll();
      if (event != null) {
        line.setLength(0);
        appendJson(event, line);
        line.append('\n');
        write(line);
        unflushed = true;
        park = MIN_PARK_NANOS;
        continue;
      }
      if (unflushed) {
        flush();
        unflushed = false;
      }
      if (closed && queue.isEmpty() && !spool.pending()) {
        return;
      }
      LockSupport.parkNanos(this, park);
      park = Math.min(park * 2, MAX_PARK_NANOS);
    }
  }

  private void write(CharSequence line) {
    try {
      out.append(line);
    } catch (IOException e) {
      outputFailed(e);
    }
  }

  private void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      outputFailed(e);
    }
  }

  private void outputFailed(IOException e) {
    counters.outputErrors().inc();
    if (!writeErrorLogged) {
      writeErrorLogged = true; // a full disk would otherwise log once per event
      log.warn(
          "audit log: cannot write ({}); failures are counted in "
              + "portcullis_audit_write_errors_total",
          e.toString());
    }
  }

  /** Appends the event's line, without its newline. */
  static void appendJson(AuditEvent event, StringBuilder json) {
    json.append("{\"timestamp\":\"");
    TIMESTAMP.formatTo(event.timestamp(), json);
    json.append('"');
    string(json, "event", event.action());
    string(json, "result", event.outcome().ecsName());
    string(json, "user_id", event.principal());
    string(json, "ip_address", event.clientIp());
    string(json, "request_id", event.requestId());
    for (Map.Entry<String, String> detail : event.details().entrySet()) {
      string(json, detail.getKey(), detail.getValue());
    }
    json.append('}');
  }

  private static void string(StringBuilder json, String name, String value) {
    if (value == null) {
      return;
    }
    json.append(",\"").append(name).append("\":\"");
    JsonStringEncoder.getInstance().quoteAsString(value, json);
    json.append('"');
  }

  /**
   * Refuses further events, writes every queued and spooled one, then stops the threads and closes
   * a file destination. Call after the event loops stopped.
   */
  @Override
  public void close() {
    closed = true;
    spool.stopSpooler(); // first, so what it still held is in the file the writer drains
    LockSupport.unpark(writer);
    if (writer.isAlive()) {
      try {
        writer.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    spool.close();
    try {
      if (closeOut) {
        out.close();
      } else {
        out.flush();
      }
    } catch (IOException e) {
      log.warn("audit log: cannot close ({})", e.toString());
    }
  }
}
