package dev.portcullis.core.config;

import dev.portcullis.core.net.Cidr;
import java.util.List;
import java.util.Locale;

/**
 * Who may talk to the gateway and what every response tells browsers.
 *
 * @param ipAllow when not empty, only clients in these networks are served (403 otherwise)
 * @param ipDeny clients in these networks are refused (403), even when also allowed
 * @param allowedHosts when not empty, only these Host values (port ignored, any case) are served
 *     (421 otherwise), so the gateway answers only for the names it fronts
 */
public record EdgeSecurityConfig(
    SecurityHeaders headers, List<Cidr> ipAllow, List<Cidr> ipDeny, List<String> allowedHosts) {

  public static final EdgeSecurityConfig DEFAULTS =
      new EdgeSecurityConfig(SecurityHeaders.DEFAULTS, List.of(), List.of(), List.of());

  public EdgeSecurityConfig {
    Checks.notNull("server.security.headers", headers);
    ipAllow = List.copyOf(ipAllow);
    ipDeny = List.copyOf(ipDeny);
    allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
  }

  /**
   * Response headers set on every response, relayed or the gateway's own, unless the upstream set
   * its own value (it knows its pages better); {@code X-Content-Type-Options: nosniff} always.
   * Strict-Transport-Security only on TLS listeners. An empty value leaves that header out.
   */
  public record SecurityHeaders(
      boolean enabled,
      String contentSecurityPolicy,
      String frameOptions,
      String referrerPolicy,
      String strictTransportSecurity) {
    public static final SecurityHeaders DEFAULTS =
        new SecurityHeaders(
            true,
            "default-src 'none'; frame-ancestors 'none'",
            "DENY",
            "no-referrer",
            "max-age=63072000; includeSubDomains");

    public SecurityHeaders {
      Checks.notNull("server.security.headers.content_security_policy", contentSecurityPolicy);
      Checks.notNull("server.security.headers.frame_options", frameOptions);
      Checks.notNull("server.security.headers.referrer_policy", referrerPolicy);
      Checks.notNull("server.security.headers.strict_transport_security", strictTransportSecurity);
    }
  }
}
