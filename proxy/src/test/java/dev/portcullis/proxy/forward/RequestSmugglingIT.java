package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ambiguous framing and hostile paths, written as raw bytes: each is refused with 400 before the
 * upstream sees a byte, and (for framing) the connection is closed, since nothing after an
 * ambiguous request can be trusted.
 */
class RequestSmugglingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestUpstream upstream;
  private static Gateway gateway;
  private int requestsBefore;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestUpstream();
    gateway = TestGateways.start(upstream.uri());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void count() {
    requestsBefore = upstream.requests();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc",
        "POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc",
        "POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /headers HTTP/1.1\nHost: h\n\n",
        "GET /headers HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n",
        "GET /headers HTTP/1.1\r\nHost: h\r\nX-A: a\r\n\tb\r\n\r\n",
        "GET /headers HTTP/1.1\r\n Host: h\r\n\r\n",
        "POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n , 4\r\n\r\nabcd",
        "GET /headers HTTP/1.1\r\nHost: h\r\nX-A: a\r\r\n\r\n",
        "GET /headers HTTP/1.1\r\nHost: h\r\nX-A: b\u0000c\r\n\r\n",
        "GET /headers HTTP/1.1\r\nHost: h\r\nX-A: b\rc\r\n\r\n",
        "GET /headers HTTP/1.1\r\n\r\n",
        "GET /headers HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET http://evil.example/headers HTTP/1.1\r\nHost: h\r\n\r\n"
      })
  void ambiguousFramingIsRefusedAndTheConnectionClosed(String request) throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(request);
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("bad_request");
      assertThat(raw.closedByPeer()).isTrue();
    }
    assertThat(upstream.requests()).as("the upstream saw nothing").isEqualTo(requestsBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {" ", "\t"})
  void aPipelinedFoldedHeadIsRefusedAfterTheRequestsBeforeItAreAnswered(String fold)
      throws Exception {
    String body = "a\r\n b\r\n\tc";
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "POST /sink HTTP/1.1\r\nHost: h\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body
              + "GET /headers HTTP/1.1\r\nHost: h\r\n\r\n"
              + "GET /headers HTTP/1.1\r\nHost: h\r\nX-Smuggled: a\r\n"
              + fold
              + "b\r\n\r\n"
              + "GET /headers HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response first = raw.read();
      assertThat(first.status()).isEqualTo(200);
      assertThat(JSON.readTree(first.body()).get("bytes").asInt()).isEqualTo(body.length());
      assertThat(raw.read().status()).isEqualTo(200);
      RawHttp.Response refused = raw.read();
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.header("connection")).isEqualTo("close");
      assertThat(JSON.readTree(refused.body()).get("message").asText())
          .contains("obsolete line folding");
      assertThat(raw.closedByPeer()).isTrue();
    }
    assertThat(upstream.requestLines())
        .as("the upstream saw the two requests before the folded one, and nothing after")
        .endsWith("POST /sink", "GET /headers");
    assertThat(upstream.requests()).isEqualTo(requestsBefore + 2);
  }

  @Test
  void aFoldedHeadArrivingInPiecesIsRefused() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET /headers HTTP/1.1\r\nHost: h\r\nX-A: a\r\n");
      Thread.sleep(50);
      raw.send("\tb\r\n");
      Thread.sleep(50);
      raw.send("\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(400);
      assertThat(raw.closedByPeer()).isTrue();
    }
    assertThat(upstream.requests()).isEqualTo(requestsBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fffffffffffffffffff", "zz", "-1"})
  void aMalformedChunkSizeIs400AndNeverCompletesUpstream(String size) throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send(
          "POST /sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + size
              + "\r\nabc\r\n0\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(400);
      assertThat(raw.closedByPeer()).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/../etc/passwd",
        "/api/%2e%2e/%2e%2e/x",
        "/api%2fheaders",
        "/api%5Cheaders",
        "/api\\headers",
        "/a/%00"
      })
  void hostilePathsAre400BeforeRouting(String path) throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response response = raw.read();
      assertThat(response.status()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("bad_path");
    }
    assertThat(upstream.requests()).isEqualTo(requestsBefore);
  }

  @ParameterizedTest
  @CsvSource({
    "/api/./x/../headers?q=1, /headers?q=1",
    "/api//headers, /headers",
    "/%61pi/headers, /headers",
    "/api/headers/x/../../headers, /headers",
    "/api/%2e%2e/headers, /headers"
  })
  void theUpstreamReceivesTheNormalisedPathTheRouteWasChosenOn(String path, String upstreamUri)
      throws Exception {
    try (RawHttp raw = new RawHttp(gateway.address())) {
      raw.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
      JsonNode seen = JSON.readTree(raw.read().body());
      assertThat(seen.get("uri").asText()).isEqualTo(upstreamUri);
    }
  }
}
