package dev.portcullis.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.proxy.upstream.Target;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
  /** Smaller than any line: each line goes in a block of its own. */
  private static final int ONE_LINE_BLOCKS = 64;

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-03-01T12:00:00.250Z"), ZoneOffset.UTC);

  private final Counter dropped =
      Counter.builder().name("dropped_total").labelNames("reason").build();
  private final CounterDataPoint queueFull = dropped.labelValues("queue_full");
  private final CounterDataPoint writeError = dropped.labelValues("write_error");

  private static AccessLogEntry entry(String requestId) {
    return new AccessLogEntry(
        CLOCK.millis(),
        1_500_000,
        "GET",
        "/rest/api/3/issue/DEMO-1",
        200,
        new InetSocketAddress("10.1.2.3", 0),
        0,
        42,
        "jira-rest",
        Target.of("jira", URI.create("http://10.0.0.5:8080")),
        requestId,
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "alice",
        "api_key",
        "curl/8.5 \"quoted\"\\",
        1_200_000);
  }

  @Test
  void aLineIsOneJsonObjectWithEcsNames() {
    assertThat(entry("req-1").json())
        .isEqualTo(
            "{\"@timestamp\":\"2025-03-01T12:00:00.250Z\",\"event.duration\":1500000,"
                + "\"http.request.method\":\"GET\",\"url.path\":\"/rest/api/3/issue/DEMO-1\","
                + "\"http.response.status_code\":200,\"client.ip\":\"10.1.2.3\","
                + "\"http.request.body.bytes\":0,\"http.response.body.bytes\":42,"
                + "\"labels.route\":\"jira-rest\","
                + "\"labels.upstream_target\":\"http://10.0.0.5:8080\","
                + "\"labels.request_id\":\"req-1\",\"trace.id\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
                + "\"user.id\":\"alice\",\"portcullis.auth_method\":\"api_key\","
                + "\"user_agent.original\":\"curl/8.5 \\\"quoted\\\"\\\\\","
                + "\"portcullis.upstream.duration\":1200000}");
  }

  @Test
  void controlCharactersQuotesAndBackslashesAreEscapedWhereverTheyAppear() {
    AccessLogEntry entry =
        new AccessLogEntry(
            CLOCK.millis(),
            1,
            "GET",
            "/a\tb\u0001c",
            200,
            new InetSocketAddress("10.1.2.3", 0),
            0,
            0,
            "r\"oute",
            null,
            "id\\1",
            null,
            "bob\n",
            null,
            "ua",
            0);
    assertThat(entry.json())
        .contains("\"url.path\":\"/a\\tb\\u0001c\"")
        .contains("\"labels.route\":\"r\\\"oute\"")
        .contains("\"labels.request_id\":\"id\\\\1\"")
        .contains("\"user.id\":\"bob\\n\"")
        .contains("\"user_agent.original\":\"ua\"");
  }

  @Test
  void aFormatterReusingItsLastSecondClientAndTargetWritesWhatAFreshOneWrites() {
    AccessLogFormatter formatter = new AccessLogFormatter();
    Target target = Target.of("jira", URI.create("http://10.0.0.5:8080"));
    long[] starts = {
      1_740_830_400_007L, 1_740_830_400_999L, 1_740_830_401_000L, 1_740_830_401_042L
    };
    String[] clients = {"10.1.2.3", "10.1.2.3", "2001:db8::1", "10.1.2.3"};
    for (int i = 0; i < starts.length; i++) {
      AccessLogEntry entry = lineAt(starts[i], clients[i], target);
      formatter.format(entry, false);
      assertThat(formatter.text()).isEqualTo(entry.json());
    }
    formatter.format(lineAt(1_740_830_401_042L, "2001:db8::1", target), false);
    assertThat(formatter.text())
        .startsWith("{\"@timestamp\":\"2025-03-01T12:00:01.042Z\"")
        .contains("\"client.ip\":\"2001:db8:0:0:0:0:0:1\"")
        .contains("\"labels.upstream_target\":\"http://10.0.0.5:8080\"");
  }

  /** A line with only what the formatter caches varying: start, client and target. */
  private static AccessLogEntry lineAt(long startMillis, String client, Target target) {
    return new AccessLogEntry(
        startMillis,
        1,
        "GET",
        "/p",
        200,
        new InetSocketAddress(client, 0),
        0,
        0,
        "r",
        target,
        "id",
        null,
        null,
        null,
        null,
        0);
  }

  @Test
  void absentValuesAreLeftOut() {
    assertThat(
            new AccessLogEntry(
                    0, 10, "GET", null, 0, null, 0, 0, null, null, "r", null, null, null, null, 0)
                .json())
        .isEqualTo(
            "{\"@timestamp\":\"1970-01-01T00:00:00.000Z\",\"event.duration\":10,"
                + "\"http.request.method\":\"GET\",\"http.request.body.bytes\":0,"
                + "\"http.response.body.bytes\":0,\"labels.request_id\":\"r\"}");
  }

  /** An access log to a file, its writer started. */
  private AccessLog startedLog(Path file, int capacity, int blockBytes) throws IOException {
    AccessLog log =
        new AccessLog(
            Files.newOutputStream(file), true, capacity, blockBytes, CLOCK, queueFull, writeError);
    log.start();
    return log;
  }

  @Test
  void linesAreWrittenToTheFileAndFlushedOnClose(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.json");
    AccessLog log = startedLog(file, 16, AccessLog.BLOCK_BYTES);
    log.append(entry("a"), null);
    log.append(entry("b"), null);
    // Not ASCII: the line is written as UTF-8, whatever the platform charset.
    log.append(entry("bücher-€-\uD83D\uDE00"), null);
    log.append(entry("c"), null);
    log.close();

    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
        .hasSize(4)
        .allSatisfy(line -> assertThat(line).startsWith("{\"@timestamp\"").endsWith("}"));
    assertThat(Files.readAllLines(file).get(1)).contains("\"labels.request_id\":\"b\"");
    assertThat(Files.readAllLines(file).get(2))
        .contains("\"labels.request_id\":\"bücher-€-\uD83D\uDE00\"");
    assertThat(Files.readAllLines(file).get(3)).contains("\"labels.request_id\":\"c\"");
    assertThat(queueFull.getLongValue()).isZero();
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    CountDownLatch writerStuck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream slowDisk =
        new OutputStream() {
          @Override
          public void write(int b) {
            throw new UnsupportedOperationException("the access log writes whole blocks");
          }

          @Override
          public void write(byte[] bytes, int off, int len) throws IOException {
            writerStuck.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
            written.write(bytes, off, len);
          }
        };
    AccessLog log =
        new AccessLog(slowDisk, false, 8, ONE_LINE_BLOCKS, CLOCK, queueFull, writeError);
    log.start();
    log.append(entry("first"), null);
    assertThat(writerStuck.await(5, TimeUnit.SECONDS)).isTrue();

    long started = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      log.append(entry("r" + i), null);
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    // Off an event loop each line is handed off at once. The writer holds "first"; the queue
    // takes 8 more; the other 12 are dropped and counted.
    assertThat(queueFull.getLongValue()).isEqualTo(12);
    assertThat(tookMillis).isLessThan(1000);
    release.countDown();
    log.close();
    String lines = written.toString(StandardCharsets.UTF_8);
    assertThat(lines.lines()).hasSize(9);
    assertThat(lines).contains("\"r7\"").doesNotContain("\"r8\"");
    assertThat(writeError.getLongValue()).isZero();
  }

  @Test
  void aLineLoggedOnAnEventLoopIsWrittenWithinTheHandOffIntervalWithoutMoreTraffic(
      @TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.json");
    AccessLog log = startedLog(file, 16, AccessLog.BLOCK_BYTES);
    DefaultEventLoop loop = new DefaultEventLoop();
    try {
      loop.submit(() -> log.append(entry("quiet"), loop)).get(5, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (Files.size(file) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      // Without the loop's timer the line would sit in its block until close.
      assertThat(Files.readAllLines(file))
          .singleElement()
          .satisfies(line -> assertThat(line).contains("\"labels.request_id\":\"quiet\""));
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      log.close();
    }
  }

  @Test
  void linesFromManyEventLoopsAllArriveWholeThroughSmallBlocks(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.json");
    AccessLog log = startedLog(file, 4096, 4096);
    int loops = 4;
    int perLoop = 5_000;
    DefaultEventLoopGroup group = new DefaultEventLoopGroup(loops);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int l = 0; l < loops; l++) {
        EventLoop loop = group.next();
        int id = l;
        done.add(
            loop.submit(
                () -> {
                  for (int i = 0; i < perLoop; i++) {
                    log.append(entry("t" + id + "-" + i), loop);
                  }
                }));
      }
      for (Future<?> future : done) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    log.close(); // hands off what each loop's block still holds

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(queueFull.getLongValue()).isZero();
    assertThat(lines).hasSize(loops * perLoop);
    assertThat(lines)
        .allSatisfy(line -> assertThat(line).startsWith("{\"@timestamp\"").endsWith("}"));
    Set<String> ids = new HashSet<>();
    String field = "\"labels.request_id\":\"";
    for (String line : lines) {
      int at = line.indexOf(field) + field.length();
      ids.add(line.substring(at, line.indexOf('"', at)));
    }
    assertThat(ids).hasSize(loops * perLoop).contains("t0-0", "t3-4999");
  }

  @Test
  void stringsAreTheJsonJacksonWritesForTheSameText() throws Exception {
    ObjectMapper jackson = new ObjectMapper();
    String[] samples = {
      "plain", "q\"uote", "back\\slash", "\b\f\n\r\t", "\u0000\u0001\u001f\u007f",
      "bücher", "€ and 中文", "\uD83D\uDE00 emoji", "/rest/api/3/search?jql=a%20b", ""
    };
    java.util.Random random = new java.util.Random(7);
    List<String> values = new ArrayList<>(List.of(samples));
    for (int i = 0; i < 500; i++) {
      StringBuilder text = new StringBuilder();
      for (int j = random.nextInt(20); j > 0; j--) {
        int pick = random.nextInt(4);
        if (pick == 0) {
          text.append((char) random.nextInt(0x80));
        } else if (pick == 1) {
          text.append((char) (0x80 + random.nextInt(0xD800 - 0x80)));
        } else if (pick == 2) {
          text.appendCodePoint(0x10000 + random.nextInt(0x100000));
        } else {
          text.append("\"\\");
        }
      }
      values.add(text.toString());
    }
    for (String value : values) {
      String line =
          new AccessLogEntry(
                  0, 1, "GET", null, 0, null, 0, 0, null, null, "r", null, value, null, null, 0)
              .json();
      String expected = "\"user.id\":" + jackson.writeValueAsString(value) + "}";
      assertThat(line).as("value %s", value).endsWith(expected);
    }
  }

  @Test
  void aLoneSurrogateIsWrittenAsAQuestionMarkAsStringEncodingDoes() {
    String line =
        new AccessLogEntry(
                0,
                1,
                "GET",
                "/a\uD800b\uDC00",
                0,
                null,
                0,
                0,
                null,
                null,
                "r",
                null,
                null,
                null,
                null,
                0)
            .json();
    assertThat(line).contains("\"url.path\":\"/a?b?\"");
  }

  @Test
  void writeFailuresAreCountedNotThrown() throws Exception {
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("disk full");
          }

          @Override
          public void write(byte[] bytes, int off, int len) throws IOException {
            throw new IOException("disk full");
          }
        };
    AccessLog log = new AccessLog(broken, false, 8, ONE_LINE_BLOCKS, CLOCK, queueFull, writeError);
    log.start();
    log.append(entry("a"), null);
    log.append(entry("b"), null);
    log.close();
    assertThat(writeError.getLongValue()).isEqualTo(2);
  }
}
