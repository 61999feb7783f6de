package dev.portcullis.proxy.cli;

import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.demo.DemoBackends;
import java.io.PrintWriter;

/** What demo mode prints once it listens: where it is and commands to paste. */
final class DemoBanner {
  private DemoBanner() {}

  static void print(PrintWriter out, Gateway gateway, DemoBackends backends) {
    String base = "http://127.0.0.1:" + gateway.address().getPort();
    String admin = "http://127.0.0.1:" + gateway.adminAddress().getPort();
    out.println();
    out.println("Portcullis demo is running.");
    out.println("  Gateway:          " + base);
    out.println("  Admin:            " + admin + "/health/ready");
    out.println("  Mock Jira:        " + backends.jira().uri());
    out.println("  Mock Confluence:  " + backends.confluence().uri());
    out.println();
    out.println("Try:");
    out.println("  curl -i " + base + "/rest/api/3/issue/DEMO-1");
    out.println(
        "  curl -i -X POST " + base + "/rest/api/3/issue -H 'Content-Type: application/json' \\");
    out.println(
        "       -d '{\"fields\":{\"project\":{\"key\":\"DEMO\"},\"summary\":\"Created through Portcullis\",\"issuetype\":{\"name\":\"Task\"}}}'");
    out.println("  curl -s '" + base + "/rest/api/3/search?jql=project%20%3D%20DEMO'");
    out.println("  curl -i '" + base + "/wiki/rest/api/content/65537?expand=body.storage'");
    out.println("  curl -s " + admin + "/health/ready");
    out.println();
    out.println("Stop with Ctrl-C (graceful drain).");
    out.flush();
  }
}
