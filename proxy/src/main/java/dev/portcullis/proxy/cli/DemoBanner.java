package dev.portcullis.proxy.cli;

import dev.portcullis.proxy.demo.DemoKeys;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;

/** What demo mode prints once it listens: where everything is and commands to paste. */
final class DemoBanner {
  private DemoBanner() {}

  /**
   * An http URL a local client can use for a bound address: a wildcard bind is reached on loopback.
   */
  static String url(InetSocketAddress bound) {
    return url("http", bound);
  }

  /** The same for a listener reached by {@code scheme} ({@code https} when it terminates TLS). */
  static String url(String scheme, InetSocketAddress bound) {
    InetAddress address = bound.getAddress();
    String host;
    if (address == null || address.isAnyLocalAddress()) {
      host = "127.0.0.1";
    } else if (address instanceof Inet6Address) {
      host = "[" + address.getHostAddress().replaceFirst("%.*$", "") + "]";
    } else {
      host = address.getHostAddress();
    }
    return scheme + "://" + host + ":" + bound.getPort();
  }

  static String render(
      InetSocketAddress gateway, InetSocketAddress admin, URI jira, URI confluence) {
    return render("http", gateway, admin, jira, confluence, null);
  }

  /**
   * @param scheme {@code https} when the gateway listens with TLS
   * @param keys the seeded demo keys, printed with commands that use them; null for none
   */
  static String render(
      String scheme,
      InetSocketAddress gateway,
      InetSocketAddress admin,
      URI jira,
      URI confluence,
      DemoKeys keys) {
    String base = url(scheme, gateway);
    String adminBase = url(admin);
    String n = System.lineSeparator();
    // Every proxied route requires a credential, so the examples carry the seeded keys.
    String read = keys == null ? "" : "-H 'X-API-Key: " + keys.user().key() + "' ";
    String write = keys == null ? "" : "-H 'X-API-Key: " + keys.service().key() + "' ";
    return n
        + "Portcullis demo is running."
        + n
        + "  Gateway:          "
        + base
        + n
        + "  Admin:            "
        + adminBase
        + n
        + "  Mock Jira:        "
        + jira
        + n
        + "  Mock Confluence:  "
        + confluence
        + n
        + n
        + "Try:"
        + n
        + "  curl -i "
        + read
        + base
        + "/rest/api/3/issue/DEMO-1"
        + n
        + "  curl -i -X POST "
        + write
        + base
        + "/rest/api/3/issue -H 'Content-Type: application/json' -d '{\"fields\":{\"project\":{\"key\":\"DEMO\"},\"summary\":\"Created through Portcullis\",\"issuetype\":{\"name\":\"Task\"}}}'"
        + n
        + "  curl -s "
        + read
        + "'"
        + base
        + "/rest/api/3/search?jql=project%20%3D%20DEMO'"
        + n
        + "  curl -i "
        + read
        + "'"
        + base
        + "/wiki/rest/api/content/65537?expand=body.storage,version'"
        + n
        + "  curl -s "
        + adminBase
        + "/health/ready"
        + n
        + n
        + (keys == null ? "" : keys(keys, base, adminBase) + n)
        + "Stop with Ctrl-C (drains in-flight requests first)."
        + n;
  }

  private static String keys(DemoKeys keys, String base, String adminBase) {
    String n = System.lineSeparator();
    String user = keys.user().key();
    String service = keys.service().key();
    String admin = keys.admin().key();
    return "API keys (an in-memory demo store; gone when the demo stops):"
        + n
        + "  user     "
        + user
        + "   "
        + String.join(" ", DemoKeys.USER_SCOPES)
        + n
        + "  service  "
        + service
        + "   "
        + String.join(" ", DemoKeys.SERVICE_SCOPES)
        + n
        + "  admin    "
        + admin
        + "   manages keys on the admin listener"
        + n
        + n
        + "With keys:"
        + n
        + "  curl -i -H 'X-API-Key: "
        + user
        + "' "
        + base
        + "/rest/api/3/issue/DEMO-1"
        + n
        + "  curl -i -X POST -H 'Authorization: Bearer "
        + service
        + "' "
        + base
        + "/rest/api/3/issue -H 'Content-Type: application/json' -d '{\"fields\":{\"project\":{\"key\":\"DEMO\"},\"summary\":\"Created with a service key\",\"issuetype\":{\"name\":\"Task\"}}}'"
        + n
        + "  curl -s -H 'Authorization: Bearer "
        + admin
        + "' "
        + adminBase
        + "/admin/api-keys"
        + n
        + "  curl -s -X POST -H 'Authorization: Bearer "
        + admin
        + "' -H 'Content-Type: application/json' "
        + adminBase
        + "/admin/api-keys -d '{\"type\":\"user\",\"subject\":\"you\",\"scopes\":[\"jira:read\"]}'"
        + n;
  }
}
