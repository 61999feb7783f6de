package dev.portcullis.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 section
 * 7.6.1), in both directions: the fixed set and every header the {@code Connection} header names. A
 * proxy that forwarded them would let a client steer the gateway's own connection to the upstream
 * (for example {@code Connection: close, X-Api-Key} to strip a header the upstream needs).
 */
final class HopByHopHeaders {
  private static final AsciiString[] FIXED = {
    HttpHeaderNames.CONNECTION,
    HttpHeaderNames.KEEP_ALIVE,
    AsciiString.cached("proxy-connection"),
    HttpHeaderNames.PROXY_AUTHENTICATE,
    HttpHeaderNames.PROXY_AUTHORIZATION,
    HttpHeaderNames.TE,
    HttpHeaderNames.TRAILER,
    HttpHeaderNames.TRANSFER_ENCODING,
    HttpHeaderNames.UPGRADE
  };

  private HopByHopHeaders() {}

  static void strip(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
      for (String value : values) {
        int start = 0;
        for (int i = 0; i <= value.length(); i++) {
          if (i == value.length() || value.charAt(i) == ',') {
            String token = value.substring(start, i).trim();
            if (!token.isEmpty()) {
              headers.remove(token);
            }
            start = i + 1;
          }
        }
      }
    }
    for (AsciiString name : FIXED) {
      headers.remove(name);
    }
  }
}
