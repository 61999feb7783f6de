package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static TraceContext of(String... nameValues) {
    HttpHeaders headers = new DefaultHttpHeaders();
    for (int i = 0; i < nameValues.length; i += 2) {
      headers.add(nameValues[i], nameValues[i + 1]);
    }
    return TraceContext.of(headers);
  }

  @Test
  void aValidTraceparentKeepsItsTraceAndGetsANewParentSpan() {
    TraceContext trace =
        of(
            "traceparent",
            "00-" + TRACE + "-00f067aa0ba902b7-01",
            "tracestate",
            "congo=t61rcWkgMzE");
    assertThat(trace.traceId).isEqualTo(TRACE);
    assertThat(trace.spanId()).matches("[0-9a-f]{16}").isNotEqualTo("00f067aa0ba902b7");
    assertThat(trace.upstreamTraceparent()).isEqualTo("00-" + TRACE + "-" + trace.spanId() + "-01");
    HttpHeaders upstream = new DefaultHttpHeaders().set("tracestate", "congo=t61rcWkgMzE");
    trace.propagate(upstream);
    assertThat(upstream.get("tracestate")).isEqualTo("congo=t61rcWkgMzE");
  }

  @Test
  void theSampledFlagIsKept() {
    assertThat(of("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-00").upstreamTraceparent())
        .endsWith("-00");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero parent id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // v00 has no more fields
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // short
        "garbage"
      })
  void anInvalidTraceparentStartsANewTraceAndDropsTracestate(String invalid) {
    TraceContext trace = of("traceparent", invalid, "tracestate", "congo=1");
    assertThat(trace.traceId)
        .matches("[0-9a-f]{32}")
        .isNotEqualTo(TRACE)
        .isNotEqualTo("0".repeat(32));
    HttpHeaders upstream = new DefaultHttpHeaders().set("tracestate", "congo=1");
    trace.propagate(upstream);
    assertThat(upstream.contains("tracestate")).isFalse();
    assertThat(TraceContext.isValidTraceparent(upstream.get("traceparent"))).isTrue();
  }

  @Test
  void aLaterVersionWithExtraFieldsIsAccepted() {
    assertThat(
            of("traceparent", "01-" + TRACE + "-00f067aa0ba902b7-01-what-the-future-holds").traceId)
        .isEqualTo(TRACE);
  }

  @Test
  void b3IsTheFallback() {
    assertThat(of("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1").traceId)
        .isEqualTo("80f198ee56343ba864fe8b2a57d3eff7");
    assertThat(
            of("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0").upstreamTraceparent())
        .endsWith("-00");
    assertThat(of("x-b3-traceid", "463AC35C9F6413AD", "x-b3-spanid", "a2fb4a1d1a96d312").traceId)
        .isEqualTo("0000000000000000463ac35c9f6413ad");
    assertThat(
            of(
                    "traceparent",
                    "00-" + TRACE + "-00f067aa0ba902b7-01",
                    "b3",
                    "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1")
                .traceId)
        .as("W3C wins over B3")
        .isEqualTo(TRACE);
  }

  @Test
  void withNothingANewSampledTraceStarts() {
    TraceContext first = of();
    TraceContext second = of();
    assertThat(first.traceId).matches("[0-9a-f]{32}").isNotEqualTo(second.traceId);
    assertThat(first.spanId()).matches("[0-9a-f]{16}").isNotEqualTo(second.spanId());
    assertThat(first.upstreamTraceparent())
        .isEqualTo("00-" + first.traceId + "-" + first.spanId() + "-01");
    assertThat(TraceContext.isValidTraceparent(first.upstreamTraceparent())).isTrue();
  }
}
