package dev.portcullis.proxy.forward;

import dev.portcullis.core.net.Cidr;
import dev.portcullis.core.pipeline.HeaderNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Sets X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host, Forwarded and Via on a request going
 * upstream, and works out who the client is.
 *
 * <p>A client can write anything into these headers, so they are kept (and appended to) only when
 * the TCP peer is a trusted proxy (the load balancer); from anyone else they are replaced. The
 * client address is then the right-most X-Forwarded-For entry that is not itself a trusted proxy.
 * Thread-safe and immutable.
 */
final class ForwardedHeaders {
  static final AsciiString X_FORWARDED_FOR = HeaderNames.of("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = HeaderNames.of("x-forwarded-proto");
  static final AsciiString X_FORWARDED_HOST = HeaderNames.of("x-forwarded-host");
  static final AsciiString FORWARDED = HeaderNames.of("forwarded");
  static final AsciiString VIA_VALUE = AsciiString.cached("1.1 portcullis");

  private final Cidr[] trustedProxies;

  ForwardedHeaders(List<Cidr> trustedProxies) {
    this.trustedProxies = trustedProxies.toArray(new Cidr[0]);
  }

  boolean isTrusted(InetAddress address) {
    for (Cidr cidr : trustedProxies) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client's address: the peer, or when the peer is a trusted proxy, the right-most untrusted
   * address it reported.
   */
  InetSocketAddress clientAddress(InetSocketAddress peer, HttpHeaders headers) {
    if (trustedProxies.length == 0 || !isTrusted(peer.getAddress())) {
      return peer;
    }
    String xff = headers.get(X_FORWARDED_FOR);
    if (xff == null) {
      return peer;
    }
    String[] hops = xff.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      InetAddress hop = parseLiteral(hops[i].trim());
      if (hop == null) {
        return peer;
      }
      if (!isTrusted(hop)) {
        return new InetSocketAddress(hop, 0);
      }
    }
    return peer;
  }

  private static InetAddress parseLiteral(String text) {
    try {
      Cidr.parse(text); // rejects host names, so no DNS lookup happens below
      return InetAddress.getByName(text);
    } catch (IllegalArgumentException | java.net.UnknownHostException e) {
      return null;
    }
  }

  /**
   * Rewrites the forwarding headers in place.
   *
   * @param scheme the scheme the client used to reach the gateway ({@code http} or {@code https})
   * @param host the Host the client asked for, or null
   */
  void apply(HttpHeaders headers, InetSocketAddress peer, String scheme, String host) {
    boolean trusted = trustedProxies.length > 0 && isTrusted(peer.getAddress());
    String peerIp = peer.getAddress().getHostAddress();

    String xff = trusted ? headers.get(X_FORWARDED_FOR) : null;
    headers.set(X_FORWARDED_FOR, xff == null ? peerIp : xff + ", " + peerIp);

    if (!trusted || !headers.contains(X_FORWARDED_PROTO)) {
      headers.set(X_FORWARDED_PROTO, scheme);
    }
    if (!trusted || !headers.contains(X_FORWARDED_HOST)) {
      if (host == null) {
        headers.remove(X_FORWARDED_HOST);
      } else {
        headers.set(X_FORWARDED_HOST, host);
      }
    }

    String element =
        forwardedElement(peerIp, peer.getAddress() instanceof Inet6Address, scheme, host);
    String forwarded = trusted ? headers.get(FORWARDED) : null;
    headers.set(FORWARDED, forwarded == null ? element : forwarded + ", " + element);

    String via = headers.get(HttpHeaderNames.VIA);
    headers.set(HeaderNames.VIA, via == null ? VIA_VALUE : via + ", " + VIA_VALUE);
  }

  /** One RFC 7239 element; an IPv6 node and a host with a port must be quoted strings. */
  private static String forwardedElement(
      String clientIp, boolean ipv6, String scheme, String host) {
    StringBuilder element = new StringBuilder(64);
    element.append("for=");
    if (ipv6) {
      element.append("\"[").append(clientIp).append("]\"");
    } else {
      element.append(clientIp);
    }
    if (host != null && isQuotable(host)) {
      element.append(";host=");
      if (isToken(host)) {
        element.append(host);
      } else {
        element.append('"').append(host).append('"');
      }
    }
    element.append(";proto=").append(scheme);
    return element.toString();
  }

  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean tchar =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /** A Host value that can sit in a quoted-string without escaping; others are left out. */
  private static boolean isQuotable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
