package dev.portcullis.core.config;

import java.nio.file.Path;

/**
 * How the gateway verifies an upstream's certificate for its {@code https://} targets (YAML {@code
 * upstreams.<name>.tls}). The target's host is sent as SNI and checked against the certificate.
 *
 * @param caFile PEM CA certificates to trust instead of the system trust store; null for the system
 *     store
 * @param insecureSkipVerify accept any certificate for any name: only for a lab, never production
 */
public record UpstreamTlsConfig(Path caFile, boolean insecureSkipVerify) {
  public static final UpstreamTlsConfig DEFAULTS = new UpstreamTlsConfig(null, false);
}
