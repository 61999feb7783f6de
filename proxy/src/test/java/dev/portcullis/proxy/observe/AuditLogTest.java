package dev.portcullis.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.core.audit.AuditEvent;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.core.metrics.Counter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2025-03-01T12:00:00.250Z");

  @TempDir Path dir;
  private final Counter counter = Counter.builder().name("audit_total").labelNames("k").build();
  private final AuditLog.Counters counters =
      new AuditLog.Counters(
          counter.labelValues("events"),
          counter.labelValues("spilled"),
          counter.labelValues("blocked"),
          counter.labelValues("log_errors"),
          counter.labelValues("spool_errors"));
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private long count(String kind) {
    return (long) counter.labelValues(kind).get();
  }

  private static AuditEvent event(String requestId) {
    return new AuditEvent(
        AT, "auth.failure", AuditEvent.Outcome.FAILURE, "alice", "10.1.2.3", requestId, Map.of());
  }

  private AuditLog start(Writer out, int capacity) throws IOException {
    AuditLog log =
        new AuditLog(
            out,
            false,
            capacity,
            new AuditSpool(dir.resolve("audit.spool"), counters.spoolErrors()),
            counters);
    log.start();
    resources.add(log);
    return log;
  }

  @Test
  void aLineIsOneEcsJsonObject() {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("method", "api_key");
    details.put("api_key_id", "pk_7f3a");
    details.put("reason", "bad \"checksum\"\n");
    StringBuilder json = new StringBuilder();
    AuditLog.appendJson(
        new AuditEvent(
            AT, "auth.failure", AuditEvent.Outcome.FAILURE, "alice", "10.1.2.3", "r-1", details),
        json);
    assertThat(json.toString())
        .isEqualTo(
            "{\"timestamp\":\"2025-03-01T12:00:00.250Z\",\"event\":\"auth.failure\","
                + "\"result\":\"failure\",\"user_id\":\"alice\",\"ip_address\":\"10.1.2.3\","
                + "\"request_id\":\"r-1\",\"method\":\"api_key\","
                + "\"api_key_id\":\"pk_7f3a\","
                + "\"reason\":\"bad \\\"checksum\\\"\\n\"}");

    StringBuilder bare = new StringBuilder();
    AuditLog.appendJson(
        new AuditEvent(AT, "ip.blocked", AuditEvent.Outcome.SUCCESS, null, null, null, null), bare);
    assertThat(bare.toString())
        .isEqualTo(
            "{\"timestamp\":\"2025-03-01T12:00:00.250Z\",\"event\":\"ip.blocked\","
                + "\"result\":\"success\"}");
  }

  @Test
  void eventLoopsAreRecognisedAndOtherThreadsAreNot() throws Exception {
    assertThat(AuditLog.onEventLoop()).isFalse();
    AtomicReference<Boolean> plain = new AtomicReference<>();
    Thread thread = new Thread(() -> plain.set(AuditLog.onEventLoop()));
    thread.start();
    thread.join();
    assertThat(plain.get()).isFalse();

    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("not-a-gateway-name", true), NioIoHandler.newFactory());
    try {
      assertThat(group.next().submit(AuditLog::onEventLoop).get(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void anEventLoopFindingTheQueueFullSpillsWithoutWaitingAndTheEventsComeOutLater()
      throws Exception {
    StallingWriter out = new StallingWriter();
    AuditLog log = start(out, 4);
    log.record(event("first"));
    assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue(); // the writer is stuck in it
    for (int i = 0; i < 4; i++) {
      log.record(event("queued-" + i));
    }
    assertThat(count("spilled")).isZero();

    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      long took =
          group
              .next()
              .submit(
                  () -> {
                    long start = System.nanoTime();
                    for (int i = 0; i < 3; i++) {
                      log.record(event("spilled-" + i));
                    }
                    return System.nanoTime() - start;
                  })
              .get(5, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofMillis(500));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    assertThat(count("spilled")).isEqualTo(3);
    assertThat(count("blocked")).isZero();
    assertThat(count("events")).isEqualTo(8);
    // The spooler thread wrote them to disk while the output was still stuck.
    Path spool = dir.resolve("audit.spool");
    awaitLines(spool, 3);
    assertThat(Files.readAllLines(spool))
        .extracting(line -> JSON.readTree(line).get("request_id").asText())
        .containsExactly("spilled-0", "spilled-1", "spilled-2");

    out.release.countDown();
    List<String> ids = awaitRequestIds(out, 8);
    // Each path keeps its order; the spool is drained as soon as the queue is half empty, so the
    // two interleave.
    assertThat(ids.stream().filter(id -> !id.startsWith("spilled")))
        .containsExactly("first", "queued-0", "queued-1", "queued-2", "queued-3");
    assertThat(ids.stream().filter(id -> id.startsWith("spilled")))
        .containsExactly("spilled-0", "spilled-1", "spilled-2");
    assertThat(ids).hasSize(8);
    log.close();
    assertThat(spool).doesNotExist(); // drained, so removed
    assertThat(count("log_errors") + count("spool_errors")).isZero();
  }

  @Test
  void anotherThreadWaitsForRoomInsteadOfSpilling() throws Exception {
    StallingWriter out = new StallingWriter();
    AuditLog log = start(out, 2);
    log.record(event("first"));
    assertThat(out.entered.await(5, TimeUnit.SECONDS)).isTrue();
    log.record(event("q-0"));
    log.record(event("q-1"));

    CountDownLatch done = new CountDownLatch(1);
    Thread worker =
        new Thread(
            () -> {
              log.record(event("waited"));
              done.countDown();
            },
            "jdbc-worker");
    worker.start();
    assertThat(done.await(200, TimeUnit.MILLISECONDS)).as("returned with the queue full").isFalse();
    assertThat(worker.getState()).isIn(Thread.State.TIMED_WAITING, Thread.State.RUNNABLE);
    assertThat(count("blocked")).isEqualTo(1);

    out.release.countDown();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(awaitRequestIds(out, 4)).containsExactly("first", "q-0", "q-1", "waited");
    assertThat(count("spilled")).isZero();
    assertThat(count("events")).isEqualTo(4);
  }

  @Test
  void eventsSpooledBeforeARestartAreWrittenFirstAndACutLineIsDropped() throws Exception {
    StringBuilder leftover = new StringBuilder();
    AuditLog.appendJson(event("from-last-run"), leftover);
    leftover.append('\n').append("{\"@timestamp\":\"2025-03-01T1"); // the crash cut this one
    Files.writeString(dir.resolve("audit.spool"), leftover, StandardCharsets.UTF_8);

    StallingWriter out = new StallingWriter();
    out.release.countDown();
    AuditLog log = start(out, 4);
    log.record(event("new"));
    assertThat(awaitRequestIds(out, 2)).containsExactly("from-last-run", "new");
    log.close();
    assertThat(out.text()).doesNotContain("2025-03-01T1\n").endsWith("}\n");
  }

  @Test
  void closeWritesEverythingThenRefusesNewEvents() throws Exception {
    StallingWriter out = new StallingWriter();
    out.release.countDown();
    AuditLog log = start(out, 1024);
    for (int i = 0; i < 100; i++) {
      log.record(event("e-" + i));
    }
    log.close();
    assertThat(out.text().split("\n")).hasSize(100);
    assertThatThrownBy(() -> log.record(event("late")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("audit log is closed; event auth.failure lost");
    assertThat(count("events")).isEqualTo(100);
  }

  @Test
  void aFailingOutputIsCounted() throws Exception {
    Writer broken =
        new Writer() {
          @Override
          public void write(char[] buffer, int offset, int length) throws IOException {
            throw new IOException("disk full");
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    AuditLog log = start(broken, 8);
    log.record(event("a"));
    log.record(event("b"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (count("log_errors") < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(count("log_errors")).isEqualTo(2);
  }

  private static void awaitLines(Path file, int lines) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!Files.exists(file) || Files.readAllLines(file).size() < lines) {
      assertThat(System.nanoTime()).as("%d lines in %s", lines, file).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static List<String> awaitRequestIds(StallingWriter out, int lines) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      String text = out.text();
      String[] split = text.isEmpty() ? new String[0] : text.split("\n");
      if (split.length >= lines && text.endsWith("\n")) {
        List<String> ids = new ArrayList<>();
        for (String line : split) {
          JsonNode json = JSON.readTree(line);
          ids.add(json.get("request_id").asText());
        }
        return ids;
      }
      assertThat(System.nanoTime()).as("%d lines in %s", lines, text).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  /** Holds its first write until released, as a stuck pipe or a slow disk would. */
  private static final class StallingWriter extends Writer {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final StringBuilder text = new StringBuilder();

    @Override
    public void write(char[] buffer, int offset, int length) throws IOException {
      entered.countDown();
      try {
        if (!release.await(10, TimeUnit.SECONDS)) {
          throw new IOException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      synchronized (text) {
        text.append(buffer, offset, length);
      }
    }

    String text() {
      synchronized (text) {
        return text.toString();
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
