package dev.portcullis.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.AccessLogConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every line of {@code /metrics}, after real traffic, checked against the exposition grammar: the
 * Prometheus text format 0.0.4 and OpenMetrics 1.0, including that sample names belong to the
 * family declared before them, that no series repeats and that histogram buckets add up.
 */
class MetricsExpositionIT {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final String LABEL_VALUE = "(?:[^\"\\\\\\n]|\\\\[\"\\\\n])*";
  private static final String LABELS =
      "\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\""
          + LABEL_VALUE
          + "\"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\""
          + LABEL_VALUE
          + "\")*,?)?}";
  private static final String FLOAT =
      "(?:[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN)";
  private static final Pattern HELP =
      Pattern.compile("# HELP (" + NAME + ") (?:[^\\\\\\n]|\\\\[\\\\n])*");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (\\w+)");
  private static final Pattern UNIT = Pattern.compile("# UNIT (" + NAME + ") (" + NAME + ")?");
  private static final Pattern SAMPLE =
      Pattern.compile(
          "(" + NAME + ")(" + LABELS + ")? (" + FLOAT + ")(?: -?[0-9]+(?:\\.[0-9]+)?)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(" + LABEL_VALUE + ")\"");

  private static final Map<String, List<String>> TEXT_SUFFIXES =
      Map.of(
          "counter", List.of("", "_created"),
          "gauge", List.of(""),
          "untyped", List.of(""),
          "histogram", List.of("_bucket", "_sum", "_count", "_created"),
          "summary", List.of("", "_sum", "_count", "_created"));
  private static final Map<String, List<String>> OPENMETRICS_SUFFIXES =
      Map.of(
          "counter", List.of("_total", "_created"),
          "gauge", List.of(""),
          "unknown", List.of(""),
          "info", List.of("_info"),
          "stateset", List.of(""),
          "histogram", List.of("_bucket", "_sum", "_count", "_created"),
          "summary", List.of("", "_sum", "_count", "_created"));

  private TestUpstream upstream;
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestUpstream();
    GatewayConfig config =
        TestGateways.config(upstream.uri()).withAccessLog(AccessLogConfig.DISABLED);
    gateway = Gateway.start(TestGateways.anonymous(config));
    try (RawHttp http = new RawHttp(gateway.address())) {
      http.send("GET /api/a HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
      http.send("POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
      assertThat(http.read().status()).isEqualTo(200);
    }
    try (RawHttp http = new RawHttp(gateway.address())) {
      http.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(502);
    }
    Scrapes.awaitNoneInFlight(gateway);
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  @Test
  void textFormatIsStrictlyValid() throws Exception {
    Scrapes.Scrape text = Scrapes.scrape(gateway, null);
    assertThat(text.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    Checked checked = check(text.body(), false);
    assertThat(checked.families)
        .containsKeys(
            "portcullis_requests_total",
            "portcullis_request_duration_seconds",
            "portcullis_audit_events_total",
            "portcullis_audit_events_spilled_total",
            "portcullis_audit_blocked_total",
            "portcullis_audit_write_errors_total");
    assertThat(checked.families.get("portcullis_request_duration_seconds")).isEqualTo("histogram");
    assertThat(checked.families.get("portcullis_audit_events_total")).isEqualTo("counter");
    assertThat(checked.samples).isGreaterThan(100);
    assertThat(text.body()).doesNotContain("# EOF");
  }

  @Test
  void openMetricsIsStrictlyValidAndEndsWithEof() throws Exception {
    Scrapes.Scrape om =
        Scrapes.scrape(gateway, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(om.contentType()).startsWith("application/openmetrics-text; version=1.0.0");
    assertThat(om.body()).endsWith("\n# EOF\n");
    Checked checked = check(om.body(), true);
    assertThat(checked.families)
        .containsEntry("portcullis_requests", "counter")
        .containsEntry("portcullis_audit_events_spilled", "counter")
        .containsEntry("portcullis_gateway_overhead_seconds", "histogram");
  }

  @Test
  void theCheckerRejectsWhatIsNotTheFormat() {
    String good = "# HELP a_total x\n# TYPE a_total counter\na_total{k=\"v\"} 1.0\n";
    assertThat(check(good, false).samples).isEqualTo(1);
    for (String bad :
        new String[] {
          good + "a_total{k=\"v\"} 2.0\n", // the same series twice
          good.replace("1.0", "one"),
          good.replace("{k=\"v\"}", "{k=v}"),
          good.replace("\"v\"", "\"a\"b\""),
          good + "b 1\n", // no TYPE for b
          good.replace("counter", "countr"),
          "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1.0\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
              + "h_count 1\nh_sum 1\n", // buckets not cumulative
        }) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> check(bad, false))
          .as(bad)
          .isInstanceOf(AssertionError.class);
    }
  }

  private static double number(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  private record Checked(Map<String, String> families, int samples) {}

  private static Checked check(String body, boolean openMetrics) {
    Map<String, List<String>> suffixes = openMetrics ? OPENMETRICS_SUFFIXES : TEXT_SUFFIXES;
    Map<String, String> families = new TreeMap<>();
    Set<String> series = new HashSet<>();
    String helped = null;
    String family = null;
    String type = null;
    Map<String, Double> counts = new TreeMap<>();
    Map<String, List<double[]>> bucketsBySeries = new TreeMap<>();
    String[] lines = body.split("\n", -1);
    assertThat(lines[lines.length - 1]).as("the body ends with a newline").isEmpty();
    int samples = 0;
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      if (openMetrics && line.equals("# EOF")) {
        assertThat(i).as("# EOF is the last line").isEqualTo(lines.length - 2);
        continue;
      }
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        helped = m.group(1);
        if (openMetrics) {
          // OpenMetrics puts its metadata after TYPE; the text format puts HELP first.
          assertThat(helped).as("HELP of the family: %s", line).isEqualTo(family);
        }
      } else if ((m = TYPE.matcher(line)).matches()) {
        family = m.group(1);
        type = m.group(2);
        assertThat(suffixes).as("type in: %s", line).containsKey(type);
        assertThat(families.put(family, type)).as("family declared once: %s", family).isNull();
        if (!openMetrics) {
          assertThat(helped).as("HELP before TYPE: %s", line).isEqualTo(family);
        }
      } else if (openMetrics && (m = UNIT.matcher(line)).matches()) {
        assertThat(m.group(1)).as("UNIT of the family: %s", line).isEqualTo(family);
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        samples++;
        String name = m.group(1);
        assertThat(family).as("TYPE before sample: %s", line).isNotNull();
        String suffix = name.startsWith(family) ? name.substring(family.length()) : null;
        assertThat(suffixes.get(type))
            .as("sample %s belongs to %s family %s", name, type, family)
            .contains(suffix);
        Map<String, String> labels = new TreeMap<>();
        if (m.group(2) != null) {
          Matcher label = LABEL.matcher(m.group(2));
          while (label.find()) {
            assertThat(labels.put(label.group(1), label.group(2)))
                .as("label once: %s", line)
                .isNull();
          }
        }
        assertThat(series.add(name + labels)).as("series once: %s", line).isTrue();
        if (type.equals("histogram")) {
          String le = labels.remove("le");
          String key = family + labels;
          if (suffix.equals("_bucket")) {
            assertThat(le).as("bucket has le: %s", line).isNotNull();
            bucketsBySeries
                .computeIfAbsent(key, k -> new ArrayList<>())
                .add(new double[] {number(le), number(m.group(3))});
          } else if (suffix.equals("_count")) {
            counts.put(key, number(m.group(3)));
          }
        }
      } else {
        throw new AssertionError("not a valid exposition line: " + line);
      }
    }
    bucketsBySeries.forEach(
        (key, list) -> {
          for (int b = 1; b < list.size(); b++) {
            assertThat(list.get(b)[0])
                .as("le ascending in %s", key)
                .isGreaterThan(list.get(b - 1)[0]);
            assertThat(list.get(b)[1])
                .as("buckets cumulative in %s", key)
                .isGreaterThanOrEqualTo(list.get(b - 1)[1]);
          }
          double[] last = list.get(list.size() - 1);
          assertThat(last[0]).as("+Inf bucket last in %s", key).isEqualTo(Double.POSITIVE_INFINITY);
          assertThat(last[1]).as("+Inf bucket equals count in %s", key).isEqualTo(counts.get(key));
        });
    return new Checked(families, samples);
  }
}
