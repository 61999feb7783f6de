package dev.portcullis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.net.Cidr;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {
  private final ForwardedHeaders untrusting = new ForwardedHeaders(List.of());
  private final ForwardedHeaders behindLb = new ForwardedHeaders(List.of(Cidr.parse("10.0.0.0/8")));

  @Test
  void clientAddressIsThePeerUnlessThePeerIsTrusted() {
    HttpHeaders headers = new DefaultHttpHeaders().set("x-forwarded-for", "1.2.3.4");
    InetSocketAddress lb = new InetSocketAddress("10.0.0.5", 40000);
    InetSocketAddress stranger = new InetSocketAddress("192.0.2.9", 40000);
    assertThat(untrusting.clientAddress(lb, headers)).isEqualTo(lb);
    assertThat(behindLb.clientAddress(stranger, headers)).isEqualTo(stranger);
    assertThat(behindLb.clientAddress(lb, headers).getAddress().getHostAddress())
        .isEqualTo("1.2.3.4");
  }

  @Test
  void theRightMostUntrustedHopIsTheClient() {
    HttpHeaders headers =
        new DefaultHttpHeaders().set("x-forwarded-for", "6.6.6.6, 198.51.100.2, 10.9.9.9");
    InetSocketAddress lb = new InetSocketAddress("10.0.0.5", 40000);
    assertThat(behindLb.clientAddress(lb, headers).getAddress().getHostAddress())
        .isEqualTo("198.51.100.2");
  }

  @Test
  void aGarbageHopFallsBackToThePeerWithoutAnyDnsLookup() {
    HttpHeaders headers = new DefaultHttpHeaders().set("x-forwarded-for", "evil.example.com");
    InetSocketAddress lb = new InetSocketAddress("10.0.0.5", 40000);
    assertThat(behindLb.clientAddress(lb, headers)).isEqualTo(lb);
  }

  @Test
  void ipv6ClientsAreQuotedInForwarded() throws Exception {
    HttpHeaders headers = new DefaultHttpHeaders();
    untrusting.apply(headers, new InetSocketAddress("::1", 5000), "http", "h:8080");
    assertThat(headers.get("forwarded"))
        .isEqualTo("for=\"[0:0:0:0:0:0:0:1]\";host=\"h:8080\";proto=http");
    assertThat(headers.get("x-forwarded-for")).isEqualTo("0:0:0:0:0:0:0:1");
  }

  @Test
  void requestIdsAreValidatedOrGenerated() {
    assertThat(RequestIds.acceptOrGenerate("abc-123_x.y:z")).isEqualTo("abc-123_x.y:z");
    assertThat(RequestIds.acceptOrGenerate("a b")).hasSize(36);
    assertThat(RequestIds.acceptOrGenerate("x".repeat(129))).hasSize(36);
    assertThat(RequestIds.generate()).isNotEqualTo(RequestIds.generate());
  }

  @Test
  void hopByHopStripsConnectionNamedHeaders() {
    HttpHeaders headers =
        new DefaultHttpHeaders()
            .add("connection", "close, X-A")
            .add("connection", "x-b")
            .add("x-a", "1")
            .add("X-B", "2")
            .add("transfer-encoding", "chunked")
            .add("x-keep", "3");
    HopByHopHeaders.strip(headers);
    assertThat(headers.names()).containsExactly("x-keep");
  }
}
