package dev.portcullis.proxy.upstream;

import java.net.URI;

/**
 * One backend address of an upstream pool, resolved from its configured URL once at start-up.
 *
 * @param authority the value sent as Host when the pool does not preserve the client's Host: the
 *     host, plus the port when it is not the scheme's default
 */
public record Target(
    String upstream, URI uri, String host, int port, boolean tls, String authority) {

  public static Target of(String upstream, URI uri) {
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    int defaultPort = tls ? 443 : 80;
    int port = uri.getPort() > 0 ? uri.getPort() : defaultPort;
    String host = uri.getHost();
    String hostForHeader =
        host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    String authority = port == defaultPort ? hostForHeader : hostForHeader + ":" + port;
    return new Target(upstream, uri, host, port, tls, authority);
  }

  @Override
  public String toString() {
    return (tls ? "https://" : "http://") + authority;
  }
}
