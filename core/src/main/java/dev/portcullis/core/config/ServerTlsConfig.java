package dev.portcullis.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * TLS termination on the downstream listener (YAML {@code server.tls}); off unless a certificate is
 * given.
 *
 * @param certFile PEM certificate chain, leaf first; null when TLS is off
 * @param keyFile PEM private key of the leaf (PKCS#8, unencrypted)
 * @param clientCaFile PEM CA certificates that sign client certificates; needed when {@code
 *     clientAuth} is not {@link ClientAuth#NONE}
 * @param clientAuth whether clients must present a certificate (mutual TLS)
 * @param protocols enabled protocol versions, a subset of TLSv1.3 and TLSv1.2
 * @param sessionTimeout how long a TLS session may be resumed
 * @param sessionCacheSize sessions kept for resumption
 * @param reloadInterval how often the files are checked for a new certificate; zero turns the check
 *     off
 */
public record ServerTlsConfig(
    Path certFile,
    Path keyFile,
    Path clientCaFile,
    ClientAuth clientAuth,
    List<String> protocols,
    Duration sessionTimeout,
    int sessionCacheSize,
    Duration reloadInterval) {

  public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  public static final ServerTlsConfig DISABLED =
      new ServerTlsConfig(
          null,
          null,
          null,
          ClientAuth.NONE,
          SUPPORTED_PROTOCOLS,
          Duration.ofHours(1),
          10_000,
          Duration.ofSeconds(5));

  /** Mutual TLS: whether a client certificate is asked for and whether it is required. */
  public enum ClientAuth {
    NONE,
    OPTIONAL,
    REQUIRED
  }

  public ServerTlsConfig {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException(
          "server.tls: "
              + (certFile == null ? "key_file without cert_file" : "cert_file without key_file")
              + " (expected: both cert_file and key_file, or neither)");
    }
    Checks.notNull("server.tls.client_auth", clientAuth);
    if (clientAuth != ClientAuth.NONE && clientCaFile == null) {
      throw new IllegalArgumentException(
          "server.tls.client_ca_file: none (expected: a PEM file of client CAs when client_auth is "
              + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
              + ")");
    }
    protocols = List.copyOf(protocols);
    if (protocols.isEmpty() || !SUPPORTED_PROTOCOLS.containsAll(protocols)) {
      throw new IllegalArgumentException(
          "server.tls.protocols: " + protocols + " (expected: TLSv1.3 and/or TLSv1.2)");
    }
    Checks.positive("server.tls.session_timeout", sessionTimeout);
    Checks.notNegative("server.tls.session_cache_size", sessionCacheSize);
    Checks.notNegative("server.tls.reload_interval", reloadInterval);
  }

  /** A listener with this certificate and every other default. */
  public static ServerTlsConfig of(Path certFile, Path keyFile) {
    ServerTlsConfig d = DISABLED;
    return new ServerTlsConfig(
        certFile,
        keyFile,
        null,
        ClientAuth.NONE,
        d.protocols,
        d.sessionTimeout,
        d.sessionCacheSize,
        d.reloadInterval);
  }

  public boolean enabled() {
    return certFile != null;
  }
}
