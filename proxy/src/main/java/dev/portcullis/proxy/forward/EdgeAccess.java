package dev.portcullis.proxy.forward;

import dev.portcullis.core.config.EdgeSecurityConfig;
import dev.portcullis.core.net.Cidr;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The gateway-wide IP allow and deny lists and the Host allow-list (and a route's own IP lists,
 * checked once the route is known), checked on the client address as resolved from trusted proxies
 * (so a load balancer's address never stands in for a client's).
 */
final class EdgeAccess {
  static final String WRONG_HOST = "This gateway does not serve that host name.";
  static final String DENIED = "Requests from your address are not allowed.";

  private EdgeAccess() {}

  /** Null when the request may proceed; else the reason ({@link #WRONG_HOST} is a 421). */
  static String refusal(
      EdgeSecurityConfig security, InetSocketAddress client, HttpRequest request) {
    if (refused(security.ipAllow(), security.ipDeny(), client)) {
      return DENIED;
    }
    List<String> hosts = security.allowedHosts();
    if (!hosts.isEmpty() && !hosts.contains(hostWithoutPort(request))) {
      return WRONG_HOST;
    }
    return null;
  }

  /**
   * True when the client is in {@code deny}, or {@code allow} is not empty and the client is not in
   * it. Used for the listener's lists and then a route's.
   */
  static boolean refused(List<Cidr> allow, List<Cidr> deny, InetSocketAddress client) {
    if (allow.isEmpty() && deny.isEmpty()) {
      return false;
    }
    byte[] address = client.getAddress().getAddress();
    for (Cidr cidr : deny) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return !allow.isEmpty() && !anyContains(allow, address);
  }

  private static boolean anyContains(List<Cidr> networks, byte[] address) {
    for (Cidr cidr : networks) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static String hostWithoutPort(HttpRequest request) {
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (host == null) {
      return "";
    }
    int end = host.length();
    if (!host.startsWith("[")) {
      int colon = host.lastIndexOf(':');
      if (colon >= 0) {
        end = colon;
      }
    } else {
      end = host.indexOf(']') + 1;
    }
    return host.substring(0, end).toLowerCase(java.util.Locale.ROOT);
  }
}
