package dev.portcullis.ratelimit.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateTest {

  @ParameterizedTest
  @CsvSource({
    "1000/hour, 1000, PT1H",
    "50/second, 50, PT1S",
    "10/minute, 10, PT1M",
    "5/day, 5, PT24H",
    "100/30s, 100, PT30S",
    "20/500ms, 20, PT0.5S",
    "7/s, 7, PT1S",
    "3/2h, 3, PT2H",
    "1/24d, 1, PT576H",
    "2147483647/1ms, 2147483647, PT0.001S",
  })
  void parsesSpecs(String spec, int count, Duration period) {
    Rate rate = Rate.parse(spec);

    assertThat(rate.count()).isEqualTo(count);
    assertThat(rate.period()).isEqualTo(period);
    assertThat(rate.periodNanos()).isEqualTo(period.toNanos());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "",
        "1000",
        "/hour",
        "1000/",
        "1000/hours",
        "1000/week",
        "1000/Hour",
        "1000 /hour",
        " 1000/hour",
        "-5/second",
        "1.5/second",
        "10/1.5s",
        "10/30",
        "10/30 s",
        "10/2second",
        "10/us",
        "10/ns",
        "99999999999/second"
      })
  void rejectsMalformedSpecs(String spec) {
    assertThatThrownBy(() -> Rate.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + spec + "' (expected: <count>/<period> such as 1000/hour or 50/second)");
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> Rate.parse(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'null' (expected: <count>/<period> such as 1000/hour or 50/second)");
  }

  @Test
  void rejectsCountsOutOfRange() {
    assertThatThrownBy(() -> Rate.parse("0/second"))
        .hasMessage("'0/second' (expected: a count from 1 to 2147483647)");
    assertThatThrownBy(() -> Rate.parse("2147483648/second"))
        .hasMessage("'2147483648/second' (expected: a count from 1 to 2147483647)");
  }

  @Test
  void rejectsPeriodsOutOfRange() {
    assertThatThrownBy(() -> Rate.parse("5/0s"))
        .hasMessage("'5/0s' (expected: a period from 1ms to 24d)");
    assertThatThrownBy(() -> Rate.parse("5/25d"))
        .hasMessage("'5/25d' (expected: a period from 1ms to 24d)");
    assertThatThrownBy(() -> Rate.parse("5/9999999999d"))
        .hasMessage("'5/9999999999d' (expected: a period from 1ms to 24d)");
  }

  @Test
  void constructorChecksInvariants() {
    assertThatThrownBy(() -> new Rate(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate.count: 0 (expected: 1..2147483647)");
    assertThatThrownBy(() -> new Rate(1, Duration.ofNanos(1_500_000)))
        .hasMessage("rate.period: PT0.0015S (expected: whole milliseconds from 1ms to 24d)");
    assertThatThrownBy(() -> new Rate(1, Duration.ZERO))
        .hasMessage("rate.period: PT0S (expected: whole milliseconds from 1ms to 24d)");
    assertThatThrownBy(() -> new Rate(1, null))
        .hasMessage("rate.period: null (expected: whole milliseconds from 1ms to 24d)");
  }

  @ParameterizedTest
  @CsvSource({
    "1000/hour, 1000/hour",
    "50/1s, 50/second",
    "10/60s, 10/minute",
    "5/24h, 5/day",
    "100/30s, 100/30s",
    "20/500ms, 20/500ms",
    "20/1000ms, 20/second",
    "3/90m, 3/90m",
    "1/48h, 1/2d",
  })
  void printsTheCanonicalSpec(String spec, String canonical) {
    Rate rate = Rate.parse(spec);

    assertThat(rate).hasToString(canonical);
    assertThat(Rate.parse(rate.toString())).isEqualTo(rate);
  }
}
