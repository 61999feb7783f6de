package dev.portcullis.proxy.tls;

import dev.portcullis.core.config.Http2Config;
import dev.portcullis.core.config.ServerTlsConfig;
import dev.portcullis.core.config.UpstreamTlsConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import javax.net.ssl.SSLException;

/**
 * Builds the gateway's TLS contexts: BoringSSL (netty-tcnative) when its native library loads, the
 * JDK's provider otherwise. Only TLS 1.3 and 1.2, and for 1.2 only ECDHE key exchange with AEAD
 * ciphers (the HTTP/2 list of RFC 7540 appendix A minus the blocklist); TLS 1.3 suites are all
 * modern and left to the provider.
 */
public final class TlsContexts {
  private TlsContexts() {}

  /** The provider every context uses; chosen once per process. */
  public static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /**
   * A server context from the PEM files named in {@code tls}, read now.
   *
   * @throws IOException when a file cannot be read or does not hold what it should; the message
   *     names the file, never its content
   */
  public static SslContext server(ServerTlsConfig tls, Http2Config http2) throws IOException {
    SslContextBuilder builder;
    try (InputStream cert = Files.newInputStream(tls.certFile());
        InputStream key = Files.newInputStream(tls.keyFile())) {
      builder = SslContextBuilder.forServer(cert, key);
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "cannot read the certificate "
              + tls.certFile()
              + " or key "
              + tls.keyFile()
              + " (expected: PEM certificate chain and unencrypted PKCS#8 key)",
          e);
    }
    builder
        .sslProvider(provider())
        .protocols(tls.protocols())
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .sessionTimeout(tls.sessionTimeout().toSeconds())
        .sessionCacheSize(tls.sessionCacheSize())
        .applicationProtocolConfig(alpn(http2.enabled()));
    if (tls.clientAuth() != ServerTlsConfig.ClientAuth.NONE) {
      try (InputStream ca = Files.newInputStream(tls.clientCaFile())) {
        builder
            .trustManager(ca)
            .clientAuth(
                tls.clientAuth() == ServerTlsConfig.ClientAuth.REQUIRED
                    ? ClientAuth.REQUIRE
                    : ClientAuth.OPTIONAL);
      }
    }
    try {
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException(
          "cannot use the certificate " + tls.certFile() + " with key " + tls.keyFile(), e);
    }
  }

  private static ApplicationProtocolConfig alpn(boolean http2) {
    return http2
        ? new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1)
        : new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1);
  }

  /**
   * A client context for an upstream's {@code https://} targets: verifies the chain (system trust
   * store or {@code tls.caFile}) and the host name, unless verification is switched off.
   */
  public static SslContext upstream(UpstreamTlsConfig tls) throws IOException {
    SslContextBuilder builder =
        SslContextBuilder.forClient()
            .sslProvider(provider())
            .protocols(ServerTlsConfig.SUPPORTED_PROTOCOLS);
    if (tls.insecureSkipVerify()) {
      builder
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .endpointIdentificationAlgorithm(null);
    } else {
      builder.endpointIdentificationAlgorithm("HTTPS");
      if (tls.caFile() != null) {
        try (InputStream ca = Files.newInputStream(tls.caFile())) {
          builder.trustManager(ca);
        } catch (IllegalArgumentException e) {
          throw new IOException("cannot read the CA file " + tls.caFile() + " (expected: PEM)", e);
        }
      }
    }
    try {
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException("cannot initialise upstream TLS", e);
    }
  }
}
