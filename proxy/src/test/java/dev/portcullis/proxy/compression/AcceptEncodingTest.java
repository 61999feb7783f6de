package dev.portcullis.proxy.compression;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Coding negotiation and media-type matching, without Netty. */
class AcceptEncodingTest {
  private final AcceptEncoding brGzip = new AcceptEncoding(new String[] {"br", "gzip"});

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "'gzip, deflate, br', br",
        "'gzip;q=1.0, br;q=0.999', gzip",
        "'br;q=0.5,gzip;q=0.5', br",
        "'BR;Q=0.2, GZip', gzip",
        "'gzip ; q=0.3 , br ; q=0.2', gzip",
        "'*;q=0.1', br",
        "'*, br;q=0', gzip",
        "'br;q=0, gzip;q=0', null",
        "'br;q=2, gzip;q=0.5', gzip",
        "'br;q=abc, gzip', gzip",
        "'identity', null",
        "'', null",
        "'brotli, gzipx', null"
      })
  void choosesTheHeaviestAcceptableCodingTiesToTheGatewaysOrder(String header, String expected) {
    assertThat(brGzip.choose(header)).isEqualTo(expected);
  }

  @Test
  void noHeaderMeansNoCoding() {
    assertThat(brGzip.choose(null)).isNull();
  }

  @Test
  void weightsParseAsQvalues() {
    assertThat(AcceptEncoding.parseWeight("0.125", 0, 5)).isEqualTo(125);
    assertThat(AcceptEncoding.parseWeight("1", 0, 1)).isEqualTo(1000);
    assertThat(AcceptEncoding.parseWeight("1.001", 0, 5)).isZero();
    assertThat(AcceptEncoding.parseWeight("0.1234", 0, 6)).isZero();
  }

  @ParameterizedTest
  @CsvSource({
    "text/plain, true",
    "Text/HTML; charset=utf-8, true",
    "application/json, true",
    "application/json;charset=UTF-8, true",
    "application/jsonx, false",
    "application/vnd.atlassian+json, true",
    "application/atom+xml, true",
    "image/svg+xml, true",
    "image/png, false",
    "application/octet-stream, false",
    "+json, false",
    "json, false"
  })
  void mediaTypesMatchIgnoringCaseAndParameters(String contentType, boolean expected) {
    MediaTypes types =
        new MediaTypes(
            List.of(
                "text/*",
                "application/json",
                "application/xml",
                "*/*+json",
                "*/*+xml",
                "image/svg+xml"));
    assertThat(types.matches(contentType)).isEqualTo(expected);
  }
}
