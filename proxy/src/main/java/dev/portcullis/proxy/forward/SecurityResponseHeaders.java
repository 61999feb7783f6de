package dev.portcullis.proxy.forward;

import dev.portcullis.core.config.EdgeSecurityConfig;
import dev.portcullis.core.pipeline.HeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Browser-facing protections on every response. The upstream's own value wins where it set one (it
 * knows its pages), except {@code X-Content-Type-Options}, always {@code nosniff}, and {@code
 * Server}, always a bare {@code portcullis}: Jira and Confluence announce their versions there,
 * which only helps an attacker pick an exploit.
 */
final class SecurityResponseHeaders {
  private static final AsciiString CSP = HeaderNames.of("content-security-policy");
  private static final AsciiString FRAME_OPTIONS = HeaderNames.of("x-frame-options");
  private static final AsciiString CONTENT_TYPE_OPTIONS = HeaderNames.of("x-content-type-options");
  private static final AsciiString REFERRER_POLICY = HeaderNames.of("referrer-policy");
  private static final AsciiString HSTS = HeaderNames.of("strict-transport-security");
  private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
  private static final AsciiString SERVER_NAME = AsciiString.cached("portcullis");

  private SecurityResponseHeaders() {}

  static void apply(EdgeSecurityConfig.SecurityHeaders config, String scheme, HttpHeaders headers) {
    headers.set(HeaderNames.SERVER, SERVER_NAME);
    if (!config.enabled()) {
      return;
    }
    headers.set(CONTENT_TYPE_OPTIONS, NOSNIFF);
    setIfAbsent(headers, CSP, config.contentSecurityPolicy());
    setIfAbsent(headers, FRAME_OPTIONS, config.frameOptions());
    setIfAbsent(headers, REFERRER_POLICY, config.referrerPolicy());
    if ("https".equals(scheme)) {
      setIfAbsent(headers, HSTS, config.strictTransportSecurity());
    }
  }

  private static void setIfAbsent(HttpHeaders headers, AsciiString name, String value) {
    if (!value.isEmpty() && !headers.contains(name)) {
      headers.add(name, value);
    }
  }
}
