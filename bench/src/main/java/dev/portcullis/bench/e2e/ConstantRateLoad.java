package dev.portcullis.bench.e2e;

import dev.portcullis.core.config.SocketTransport;
import dev.portcullis.proxy.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A constant-rate HTTP/1.1 load generator whose latencies are corrected for coordinated omission,
 * in the manner of wrk2 (which Debian does not package). Each of {@code --connections} keep-alive
 * connections owns an equal share of {@code --rate} and a fixed schedule of intended send times,
 * staggered across connections so the aggregate is evenly spaced. A request is sent at its intended
 * time, or as soon as the previous response on its connection has completed if that is later, and
 * its latency is measured from the <em>intended</em> time to the last byte of the response. A
 * stalled server therefore shows up as latency for every request it delayed, not only the one it
 * was serving, which a closed-loop tool like wrk hides.
 *
 * <p>Threads: {@code --threads} event loops (one by default, so the generator fits on one pinned
 * core); a connection's state, counters and histogram are touched only by its own loop and read by
 * the main thread after the group has terminated. Buffers: each distinct request is one
 * unreleasable buffer written as duplicates; every inbound message is released here.
 *
 * <p>Prints one line of {@code key=value} pairs (rates in requests/s, latencies in ms) for {@code
 * bench/run-e2e} to parse. Exit status 0 even with errors: the caller reports them.
 */
public final class ConstantRateLoad {
  private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

  private ConstantRateLoad() {}

  /**
   * @param headers extra request header lines ({@code Name: value}), such as the API key the
   *     full-pipeline gateway requires
   * @param rotatingHeaders header lines taken in turn, one per request (empty for none): with one
   *     credential per line, every request comes from one of many principals
   */
  record Options(
      URI url,
      double rate,
      int connections,
      long warmupNanos,
      long durationNanos,
      int threads,
      List<String> headers,
      List<String> rotatingHeaders,
      Path timeline) {
    Options {
      headers = List.copyOf(headers);
      rotatingHeaders = List.copyOf(rotatingHeaders);
      for (String header : headers) {
        checkHeader("--header", header);
      }
      for (String header : rotatingHeaders) {
        checkHeader("--header-file", header);
      }
      if (!"http".equals(url.getScheme()) || url.getPort() < 0) {
        throw new IllegalArgumentException("--url: " + url + " (expected: http://host:port/path)");
      }
      if (rate <= 0 || rate > 1_000_000) {
        throw new IllegalArgumentException("--rate: " + rate + " (expected: 1..1000000)");
      }
      if (connections < 1 || connections > 10_000) {
        throw new IllegalArgumentException(
            "--connections: " + connections + " (expected: 1..10000)");
      }
      if (durationNanos <= 0 || durationNanos > TimeUnit.HOURS.toNanos(1)) {
        throw new IllegalArgumentException("--duration: (expected: 1..3600 seconds)");
      }
      if (warmupNanos < 0 || warmupNanos > TimeUnit.MINUTES.toNanos(10)) {
        throw new IllegalArgumentException("--warmup: (expected: 0..600 seconds)");
      }
      if (threads < 1 || threads > 64) {
        throw new IllegalArgumentException("--threads: " + threads + " (expected: 1..64)");
      }
    }

    private static void checkHeader(String option, String header) {
      if (header.indexOf(':') < 1 || header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0) {
        throw new IllegalArgumentException(
            option + ": " + header + " (expected: Name: value on one line)");
      }
    }

    private static List<String> headerLines(String file) {
      try {
        return Files.readAllLines(Path.of(file)).stream().filter(l -> !l.isBlank()).toList();
      } catch (IOException e) {
        throw new IllegalArgumentException("--header-file: cannot read " + file + " (" + e + ")");
      }
    }

    static Options parse(String[] args) {
      URI url = null;
      double rate = 1000;
      int connections = 16;
      double warmup = 2;
      double duration = 10;
      int threads = 1;
      List<String> headers = new ArrayList<>();
      List<String> rotatingHeaders = new ArrayList<>();
      Path timeline = null;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "--url" -> url = URI.create(value);
          case "--rate" -> rate = Double.parseDouble(value);
          case "--connections" -> connections = Integer.parseInt(value);
          case "--warmup" -> warmup = Double.parseDouble(value);
          case "--duration" -> duration = Double.parseDouble(value);
          case "--threads" -> threads = Integer.parseInt(value);
          case "--header" -> headers.add(value);
          case "--header-file" -> rotatingHeaders.addAll(headerLines(value));
          case "--timeline" -> timeline = Path.of(value);
          default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
        }
        i++;
      }
      if (url == null) {
        throw new IllegalArgumentException("--url is required");
      }
      return new Options(
          url,
          rate,
          connections,
          (long) (warmup * 1e9),
          (long) (duration * 1e9),
          threads,
          headers,
          rotatingHeaders,
          timeline);
    }
  }

  public static void main(String[] args) throws InterruptedException, IOException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("ConstantRateLoad: " + e.getMessage());
      System.err.println(
          "usage: ConstantRateLoad --url http://127.0.0.1:PORT/PATH --rate R [--connections 16]"
              + " [--warmup 2] [--duration 10] [--threads 1] [--header 'Name: value' ...]"
              + " [--header-file FILE] [--timeline FILE]");
      System.exit(2);
      return;
    }
    System.out.println(run(options));
  }

  private static String extraHeaders(List<String> headers) {
    StringBuilder lines = new StringBuilder();
    for (String header : headers) {
      lines.append(header).append("\r\n");
    }
    return lines.toString();
  }

  static String run(Options o) throws InterruptedException, IOException {
    String host = o.url().getHost();
    int port = o.url().getPort();
    String path = o.url().getRawPath().isEmpty() ? "/" : o.url().getRawPath();
    String common =
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nUser-Agent: portcullis-bench\r\nAccept: */*\r\n"
            + extraHeaders(o.headers());
    List<String> rotating = o.rotatingHeaders().isEmpty() ? List.of("") : o.rotatingHeaders();
    ByteBuf[] requests = new ByteBuf[rotating.size()];
    for (int i = 0; i < requests.length; i++) {
      String line = rotating.get(i).isEmpty() ? "" : rotating.get(i) + "\r\n";
      byte[] head = (common + line + "\r\n").getBytes(StandardCharsets.US_ASCII);
      requests[i] =
          Unpooled.unreleasableBuffer(Unpooled.directBuffer(head.length).writeBytes(head));
    }

    // epoll, as in every run before io_uring existed here: the backend and the load generator are
    // the fixed yardstick that nginx and the gateways are measured against.
    Transport transport =
        Transport.of(
            Transport.isAvailable(SocketTransport.EPOLL)
                ? SocketTransport.EPOLL
                : SocketTransport.AUTO);
    EventLoopGroup group = transport.newGroup(o.threads(), "load");
    long spacing = (long) (1e9 / o.rate());
    long interval = spacing * o.connections();
    // Connections open first; the schedule starts only once all are up, so connect time is not
    // counted as latency.
    long start =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200) + o.connections() * 100_000L;
    long measureFrom = start + o.warmupNanos();
    long end = measureFrom + o.durationNanos();
    CountDownLatch done = new CountDownLatch(o.connections());
    int timelineSeconds =
        o.timeline() == null ? 0 : (int) ((o.durationNanos() + 999_999_999L) / 1_000_000_000L);
    List<Connection> connections = new ArrayList<>();
    try {
      Bootstrap bootstrap =
          new Bootstrap()
              .group(group)
              .channel(transport.socketChannel())
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000);
      for (int i = 0; i < o.connections(); i++) {
        Connection c =
            new Connection(
                new Requests(requests, i, o.connections()),
                start + i * spacing,
                interval,
                measureFrom,
                end,
                done,
                timelineSeconds);
        connections.add(c);
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpResponseDecoder()).addLast(c);
                  }
                })
            .connect(host, port)
            .addListener(
                f -> {
                  if (!f.isSuccess()) {
                    c.connectFailed();
                  }
                });
      }
      long waitNanos = end - System.nanoTime() + DRAIN_NANOS;
      done.await(Math.max(waitNanos, 0), TimeUnit.NANOSECONDS);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    Histogram all = new Histogram(MAX_LATENCY_NANOS, 3);
    long completed = 0;
    long errors = 0;
    long non2xx = 0;
    long unfinished = 0;
    for (Connection c : connections) {
      all.add(c.histogram);
      completed += c.completed;
      errors += c.errors;
      non2xx += c.non2xx;
      unfinished += c.inFlight ? 1 : 0;
    }
    if (o.timeline() != null) {
      long measureFromEpochMillis =
          System.currentTimeMillis() - (System.nanoTime() - measureFrom) / 1_000_000L;
      writeTimeline(o.timeline(), connections, timelineSeconds, measureFromEpochMillis);
    }
    double seconds = o.durationNanos() / 1e9;
    return String.format(
        Locale.ROOT,
        "target_rate=%.0f achieved_rate=%.0f completed=%d errors=%d non2xx=%d unfinished=%d"
            + " p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f",
        o.rate(),
        completed / seconds,
        completed,
        errors,
        non2xx,
        unfinished,
        all.getValueAtPercentile(50) / 1e6,
        all.getValueAtPercentile(90) / 1e6,
        all.getValueAtPercentile(99) / 1e6,
        all.getValueAtPercentile(99.9) / 1e6,
        all.getMaxValue() / 1e6);
  }

  /**
   * One line per second of the measured run, by intended send time: requests, how many took over 1
   * and over 5 ms, the slowest. A tail made of a few stalls shows as a few bad seconds (lined up
   * with GC or safepoint logs by the epoch time); a tail spread thin shows in every second.
   */
  private static void writeTimeline(
      Path file, List<Connection> connections, int seconds, long measureFromEpochMillis)
      throws IOException {
    StringBuilder out = new StringBuilder("second epoch_ms completed over_1ms over_5ms max_ms\n");
    for (int second = 0; second < seconds; second++) {
      long completed = 0;
      long over1 = 0;
      long over5 = 0;
      long max = 0;
      for (Connection c : connections) {
        completed += c.timelineCompleted[1 + second];
        over1 += c.timelineOver1ms[1 + second];
        over5 += c.timelineOver5ms[1 + second];
        max = Math.max(max, c.timelineMax[1 + second]);
      }
      out.append(
          String.format(
              Locale.ROOT,
              "%d %d %d %d %d %.3f%n",
              second,
              measureFromEpochMillis + second * 1000L,
              completed,
              over1,
              over5,
              max / 1e6));
    }
    Files.writeString(file, out);
  }

  /**
   * The requests one connection sends in turn: connection {@code c} of {@code n} takes every {@code
   * n}th, starting at its own index, so together the connections cycle through all of them.
   */
  static final class Requests {
    private final ByteBuf[] all;
    private final int step;
    private int next;

    Requests(ByteBuf[] all, int first, int step) {
      this.all = all;
      this.step = step % all.length;
      this.next = first % all.length;
    }

    ByteBuf next() {
      ByteBuf request = all[next];
      next += step;
      if (next >= all.length) {
        next -= all.length;
      }
      return request;
    }
  }

  /** One connection's schedule; every field is confined to the channel's event loop. */
  static final class Connection extends ChannelInboundHandlerAdapter {
    final Histogram histogram = new Histogram(MAX_LATENCY_NANOS, 3);
    private final Histogram warmupHistogram = new Histogram(MAX_LATENCY_NANOS, 3);
    private final Requests requests;
    private final long interval;
    private final long measureFrom;
    private final long end;
    private final CountDownLatch done;
    final long[] timelineCompleted;
    final long[] timelineOver1ms;
    final long[] timelineOver5ms;
    final long[] timelineMax;
    private long nextIntended;
    private long inFlightIntended;
    private boolean finished;
    boolean inFlight;
    long completed;
    long errors;
    long non2xx;

    Connection(
        Requests requests,
        long firstIntended,
        long interval,
        long measureFrom,
        long end,
        CountDownLatch done,
        int timelineSeconds) {
      this.requests = requests;
      this.timelineCompleted = new long[1 + timelineSeconds];
      this.timelineOver1ms = new long[1 + timelineSeconds];
      this.timelineOver5ms = new long[1 + timelineSeconds];
      this.timelineMax = new long[1 + timelineSeconds];
      this.nextIntended = firstIntended;
      this.interval = interval;
      this.measureFrom = measureFrom;
      this.end = end;
      this.done = done;
    }

    void connectFailed() {
      errors++;
      finish();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      scheduleNext(ctx);
    }

    private void scheduleNext(ChannelHandlerContext ctx) {
      if (nextIntended >= end) {
        finish();
        return;
      }
      long delay = nextIntended - System.nanoTime();
      if (delay <= 0) {
        send(ctx);
      } else {
        ctx.executor().schedule(() -> send(ctx), delay, TimeUnit.NANOSECONDS);
      }
    }

    private void send(ChannelHandlerContext ctx) {
      if (finished) {
        return;
      }
      inFlightIntended = nextIntended;
      nextIntended += interval;
      inFlight = true;
      ctx.writeAndFlush(requests.next().duplicate());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse response) {
          int status = response.status().code();
          if (status < 200 || status > 299 || response.decoderResult().isFailure()) {
            non2xx++;
          }
        }
        if (msg instanceof LastHttpContent) {
          long now = System.nanoTime();
          inFlight = false;
          // Warm-up responses take the same code path into histograms of their own: a branch
          // first taken when measuring starts made the JIT deoptimise this method then, and
          // the first measured second had the worst tail of every run, direct's included.
          boolean measured = inFlightIntended >= measureFrom;
          long latency = Math.min(now - inFlightIntended, MAX_LATENCY_NANOS);
          (measured ? histogram : warmupHistogram).recordValue(latency);
          completed += measured ? 1 : 0;
          recordTimeline(measured, latency);
          scheduleNext(ctx);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    /** Slot 0 takes the warm-up (and everything when no timeline was asked for). */
    private void recordTimeline(boolean measured, long latency) {
      int second = (int) ((inFlightIntended - measureFrom) / 1_000_000_000L);
      int slot = measured ? Math.min(1 + second, timelineCompleted.length - 1) : 0;
      timelineCompleted[slot]++;
      timelineOver1ms[slot] += latency > 1_000_000L ? 1 : 0;
      timelineOver5ms[slot] += latency > 5_000_000L ? 1 : 0;
      timelineMax[slot] = Math.max(timelineMax[slot], latency);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!finished) {
        errors++;
        finish();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      errors++;
      finish();
      ctx.close();
    }

    private void finish() {
      if (!finished) {
        finished = true;
        done.countDown();
      }
    }
  }
}
