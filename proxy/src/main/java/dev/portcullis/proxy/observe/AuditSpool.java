package dev.portcullis.proxy.observe;

import dev.portcullis.core.audit.AuditEvent;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's overflow: where an event goes when an event loop finds the audit queue full. The
 * event loop only puts it on an unbounded lock-free queue; a spooler thread of its own formats it
 * and appends the line to a spool file, and the audit writer moves spooled lines to the output when
 * its queue has room again. The unbounded queue holds events only for as long as one disk append
 * takes, so the memory it can use is the event rate times the disk latency, not the backlog of a
 * stalled output; a stalled disk would grow it, which is still better than an event loop waiting.
 *
 * <p>The file holds whole lines in {@code [0, written)}; the writer has moved {@code [0, read)} to
 * the output. Appends are positional at {@code written} and the writer truncates the file to zero
 * once it has caught up, both under one lock that only these two background threads take. Lines a
 * previous process spooled but never wrote are in the file at start-up and are written first. The
 * spool is not fsynced: it survives the process dying, not the machine.
 *
 * <p>Threading: {@link #offer} from any thread; {@link #drainTo} and {@link #pending} from the
 * audit writer only; {@link #close} by the owner after the writer stopped.
 */
final class AuditSpool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditSpool.class);
  private static final int CHUNK = 64 * 1024;
  // offer() unparks the spooler, so this bound only caps a missed wake-up; a shorter one made an
  // idle gateway wake this thread hundreds of times a second for nothing.
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Path path;
  private final FileChannel channel;
  private final MpscUnboundedArrayQueue<AuditEvent> overflow = new MpscUnboundedArrayQueue<>(64);
  private final CounterDataPoint writeErrors;
  private final Thread spooler;
  private final Object lock = new Object();
  private volatile long written;
  private long read;
  private volatile boolean closing;
  private boolean errorLogged;

  /**
   * Opens (or creates) the spool file and starts the spooler thread.
   *
   * @throws IOException when the file cannot be opened
   */
  AuditSpool(Path path, CounterDataPoint writeErrors) throws IOException {
    this.path = path;
    this.writeErrors = writeErrors;
    this.channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    this.written = lastLineEnd(channel);
    channel.truncate(written); // a line cut short by a crash is not a line
    if (written > 0) {
      log.info("audit log: writing {} bytes of events spooled before a restart", written);
    }
    this.spooler = new Thread(this::spoolLoop, "portcullis-audit-spool");
    this.spooler.setDaemon(true);
    this.spooler.start();
  }

  /** Hands the event to the spooler thread. Never blocks and never refuses. */
  void offer(AuditEvent event) {
    overflow.offer(event);
    LockSupport.unpark(spooler);
  }

  /** Whether spooled lines wait for the writer, or events for the spooler. */
  boolean pending() {
    return read < written || !overflow.isEmpty();
  }

  private void spoolLoop() {
    StringBuilder line = new StringBuilder(512);
    long park = TimeUnit.MICROSECONDS.toNanos(50);
    while (true) {
      AuditEvent event = overflow.relaxedPoll();
      if (event == null) {
        if (closing && overflow.isEmpty()) {
          return;
        }
        LockSupport.parkNanos(this, park);
        park = Math.min(park * 2, MAX_PARK_NANOS);
        continue;
      }
      park = TimeUnit.MICROSECONDS.toNanos(50);
      line.setLength(0);
      AuditLog.appendJson(event, line);
      line.append('\n');
      append(StandardCharsets.UTF_8.encode(line.toString()));
    }
  }

  private void append(ByteBuffer bytes) {
    synchronized (lock) {
      try {
        long at = written;
        while (bytes.hasRemaining()) {
          at += channel.write(bytes, at);
        }
        written = at;
      } catch (IOException e) {
        writeErrors.inc();
        if (!errorLogged) {
          errorLogged = true;
          log.warn(
              "audit log: cannot write the spool {} ({}); such events are counted in "
                  + "portcullis_audit_write_errors_total",
              path,
              e.toString());
        }
      }
    }
  }

  /**
   * Moves up to about 64 KiB of spooled lines to {@code out}, whole lines only.
   *
   * @return the number of lines moved
   * @throws IOException when {@code out} fails; the lines stay spooled and are tried again
   */
  int drainTo(Writer out) throws IOException {
    long end = written;
    if (read >= end) {
      return 0;
    }
    int size = (int) Math.min(CHUNK, end - read);
    ByteBuffer chunk;
    int cut;
    while (true) {
      chunk = ByteBuffer.allocate(size);
      while (chunk.hasRemaining()) {
        if (channel.read(chunk, read + chunk.position()) < 0) {
          throw new IOException("spool " + path + " is shorter than expected");
        }
      }
      cut = lastNewline(chunk.array(), size);
      if (cut >= 0 || size == end - read) {
        break;
      }
      size = (int) Math.min((long) size * 2, end - read); // a line longer than the chunk
    }
    int lines = 0;
    for (int i = 0; i <= cut; i++) {
      if (chunk.array()[i] == '\n') {
        lines++;
      }
    }
    // A newline byte never occurs inside a UTF-8 sequence, so the cut never splits a character.
    out.write(new String(chunk.array(), 0, cut + 1, StandardCharsets.UTF_8));
    read += cut + 1;
    compactIfCaughtUp();
    return lines;
  }

  private void compactIfCaughtUp() throws IOException {
    synchronized (lock) {
      if (read == written) {
        channel.truncate(0);
        written = 0;
        read = 0;
      }
    }
  }

  private static int lastNewline(byte[] bytes, int length) {
    for (int i = length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static long lastLineEnd(FileChannel channel) throws IOException {
    long size = channel.size();
    ByteBuffer one = ByteBuffer.allocate(1);
    for (long at = size - 1; at >= 0; at--) {
      one.clear();
      channel.read(one, at);
      if (one.get(0) == '\n') {
        return at + 1;
      }
    }
    return 0;
  }

  /** Stops the spooler once it has spooled every event handed to it. */
  void stopSpooler() {
    closing = true;
    LockSupport.unpark(spooler);
    try {
      spooler.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes the file; deletes it when nothing is left in it, keeps it for the next start if not. */
  @Override
  public void close() {
    stopSpooler();
    long left = written - read;
    try {
      channel.close();
      if (left == 0) {
        Files.deleteIfExists(path);
      } else if (left > 0) {
        log.warn("audit log: {} bytes of events remain in the spool {}", left, path);
      }
    } catch (IOException e) {
      log.warn("audit log: cannot close the spool {} ({})", path, e.toString());
    }
  }
}
