package dev.portcullis.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.Http2Config;
import dev.portcullis.core.config.ServerConfig;
import dev.portcullis.core.config.ServerTlsConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.testing.RawHttp;
import dev.portcullis.proxy.testing.TestCertificates;
import dev.portcullis.proxy.testing.TestGateways;
import dev.portcullis.proxy.testing.TestUpstream;
import dev.portcullis.proxy.testing.TlsClients;
import java.io.DataInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS termination on the listener: versions, HSTS, certificate reload without dropping. */
class TlsTerminationIT {
  @TempDir static Path dir;
  private static TestCertificates ca;
  private static TestCertificates.Leaf first;
  private static TestUpstream upstream;
  private static SSLContext client;

  @BeforeAll
  static void certificates() throws Exception {
    ca = TestCertificates.newCa(dir, "Portcullis Test CA");
    first = ca.newLeaf();
    upstream = new TestUpstream();
    client = TlsClients.trusting(ca.caPem());
  }

  @AfterAll
  static void stopUpstream() {
    upstream.close();
  }

  private static Gateway tlsGateway(Path cert, Path key, Duration reload) throws Exception {
    GatewayConfig base = TestGateways.config(upstream.uri());
    ServerTlsConfig d = ServerTlsConfig.DISABLED;
    ServerTlsConfig tls =
        new ServerTlsConfig(
            cert,
            key,
            null,
            ServerTlsConfig.ClientAuth.NONE,
            d.protocols(),
            d.sessionTimeout(),
            d.sessionCacheSize(),
            reload);
    ServerConfig server = base.server().withProtocols(tls, Http2Config.DEFAULTS);
    return Gateway.start(TestGateways.config(server, base.upstreams().get("backend")));
  }

  @Test
  void mutualTlsRequiresAClientCertificateFromTheConfiguredCa() throws Exception {
    TestCertificates.Leaf clientLeaf = ca.newLeaf();
    GatewayConfig base = TestGateways.config(upstream.uri());
    ServerTlsConfig d = ServerTlsConfig.DISABLED;
    ServerTlsConfig mtls =
        new ServerTlsConfig(
            first.certPem(),
            first.keyPem(),
            ca.caPem(),
            ServerTlsConfig.ClientAuth.REQUIRED,
            d.protocols(),
            d.sessionTimeout(),
            d.sessionCacheSize(),
            Duration.ZERO);
    try (Gateway gateway =
        Gateway.start(
            TestGateways.config(
                base.server().withProtocols(mtls, Http2Config.DEFAULTS),
                base.upstreams().get("backend")))) {
      SSLContext withCertificate = TlsClients.withClientCertificate(ca.caPem(), clientLeaf);
      try (SSLSocket socket = TlsClients.connect(withCertificate, gateway.address(), "TLSv1.3")) {
        assertThat(TlsClients.get(socket, "/mtls").status()).isEqualTo(200);
      }
      // Without a certificate the handshake fails (TLS 1.3 reports it on the first read).
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> {
                try (SSLSocket socket = TlsClients.connect(client, gateway.address(), "TLSv1.3")) {
                  TlsClients.get(socket, "/mtls");
                }
              })
          .isInstanceOf(IOException.class);
    }
  }

  private static BigInteger serial(SSLSocket socket) throws Exception {
    return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
  }

  @Test
  void tls13AndTls12AreServedWithHstsAndTheTestCertificate() throws Exception {
    try (Gateway gateway = tlsGateway(first.certPem(), first.keyPem(), Duration.ZERO)) {
      for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
        try (SSLSocket socket = TlsClients.connect(client, gateway.address(), protocol)) {
          assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
          assertThat(serial(socket)).isEqualTo(first.serial());
          TlsClients.Response response = TlsClients.get(socket, "/anything");
          assertThat(response.status()).isEqualTo(200);
          assertThat(response.body()).isEqualTo("ok");
          assertThat(response.headers().get("strict-transport-security"))
              .isEqualTo("max-age=63072000; includeSubDomains");
          // The upstream is told the client came over TLS.
          TlsClients.Response headers = TlsClients.get(socket, "/headers");
          assertThat(headers.body()).contains("\"x-forwarded-proto\":\"https\"");
        }
      }
    }
  }

  @Test
  void plainHttpListenerSendsNoHsts() throws Exception {
    try (Gateway gateway = TestGateways.start(upstream.uri());
        RawHttp raw = new RawHttp(gateway.address())) {
      RawHttp.Response response =
          raw.send("GET /anything HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("strict-transport-security")).isNull();
      assertThat(response.header("x-content-type-options")).isEqualTo("nosniff");
    }
  }

  @Test
  void tls11ClientHelloIsRefused() throws Exception {
    try (Gateway gateway = tlsGateway(first.certPem(), first.keyPem(), Duration.ZERO);
        Socket socket = new Socket()) {
      socket.connect(gateway.address(), 10_000);
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(tls11ClientHello());
      socket.getOutputStream().flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int contentType;
      try {
        contentType = in.read();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the gateway neither answered nor closed", e);
      } catch (IOException reset) {
        contentType = -1;
      }
      // Either an alert record (21) or a closed connection; never a handshake record (22).
      assertThat(contentType).isIn(-1, 21);
    }
  }

  @Test
  void replacedCertificateIsServedToNewConnectionsWhileExistingOnesKeepWorking() throws Exception {
    Path cert = dir.resolve("live.crt.pem");
    Path key = dir.resolve("live.key.pem");
    Files.copy(first.certPem(), cert, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(first.keyPem(), key, StandardCopyOption.REPLACE_EXISTING);
    TestCertificates.Leaf second = ca.newLeaf();
    try (Gateway gateway = tlsGateway(cert, key, Duration.ofMillis(100));
        SSLSocket old = TlsClients.connect(client, gateway.address(), "TLSv1.3")) {
      assertThat(serial(old)).isEqualTo(first.serial());
      assertThat(TlsClients.get(old, "/a").status()).isEqualTo(200);

      Files.copy(second.keyPem(), key, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(second.certPem(), cert, StandardCopyOption.REPLACE_EXISTING);
      assertThat(awaitSerial(gateway.address(), second.serial())).isTrue();
      // The connection made before the swap still works, with its original certificate.
      assertThat(TlsClients.get(old, "/b").status()).isEqualTo(200);
      assertThat(serial(old)).isEqualTo(first.serial());

      // A broken file is not taken: the last good certificate stays.
      Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nnot a certificate\n");
      Thread.sleep(600);
      try (SSLSocket fresh = TlsClients.connect(client, gateway.address(), "TLSv1.3")) {
        assertThat(serial(fresh)).isEqualTo(second.serial());
        assertThat(TlsClients.get(fresh, "/c").status()).isEqualTo(200);
      }
    }
  }

  private static boolean awaitSerial(InetSocketAddress address, BigInteger expected)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try (SSLSocket socket = TlsClients.connect(client, address, "TLSv1.3")) {
        if (serial(socket).equals(expected)) {
          return TlsClients.get(socket, "/new").status() == 200;
        }
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** A TLS 1.1 ClientHello (no supported_versions extension), as an old client sends it. */
  private static byte[] tls11ClientHello() {
    byte[] body = {
      0x03,
      0x02, // client_version TLS 1.1
      // random (32 bytes)
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
      12,
      13,
      14,
      15,
      16,
      17,
      18,
      19,
      20,
      21,
      22,
      23,
      24,
      25,
      26,
      27,
      28,
      29,
      30,
      31,
      32,
      0x00, // session id
      0x00,
      0x08,
      (byte) 0xc0,
      0x13,
      (byte) 0xc0,
      0x09,
      0x00,
      0x2f,
      0x00,
      0x35, // suites
      0x01,
      0x00, // compression: null
      0x00,
      0x0e, // extensions
      0x00,
      0x0a,
      0x00,
      0x04,
      0x00,
      0x02,
      0x00,
      0x17, // supported_groups: secp256r1
      0x00,
      0x0b,
      0x00,
      0x02,
      0x01,
      0x00 // ec_point_formats: uncompressed
    };
    byte[] record = new byte[9 + body.length];
    record[0] = 0x16;
    record[1] = 0x03;
    record[2] = 0x01;
    int handshakeLength = 4 + body.length;
    record[3] = (byte) (handshakeLength >> 8);
    record[4] = (byte) handshakeLength;
    record[5] = 0x01; // ClientHello
    record[6] = 0;
    record[7] = (byte) (body.length >> 8);
    record[8] = (byte) body.length;
    System.arraycopy(body, 0, record, 9, body.length);
    return record;
  }
}
