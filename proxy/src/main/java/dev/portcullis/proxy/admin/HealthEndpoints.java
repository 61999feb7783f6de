package dev.portcullis.proxy.admin;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.portcullis.proxy.forward.GatewayState;
import dev.portcullis.proxy.upstream.UpstreamPools;
import java.util.List;
import java.util.Map;

/**
 * {@code /health/live} (the process runs) and {@code /health/ready} (listeners bound, not draining;
 * with each upstream's targets and open connections, so an operator sees the pools).
 */
public final class HealthEndpoints {
  private HealthEndpoints() {}

  public static void register(AdminServer admin, GatewayState state, UpstreamPools pools) {
    admin.register("/health/live", () -> AdminEndpoint.Reply.json(200, "{\"status\":\"live\"}"));
    admin.register("/health/ready", () -> ready(state, pools));
  }

  private static AdminEndpoint.Reply ready(GatewayState state, UpstreamPools pools) {
    String status = state.draining() ? "draining" : state.ready() ? "ready" : "starting";
    StringBuilder json = new StringBuilder(256);
    json.append("{\"status\":\"").append(status).append("\",\"upstreams\":{");
    boolean firstUpstream = true;
    for (Map.Entry<String, List<UpstreamPools.TargetSnapshot>> upstream :
        pools.targets().entrySet()) {
      if (!firstUpstream) {
        json.append(',');
      }
      firstUpstream = false;
      json.append('"');
      JsonStringEncoder.getInstance().quoteAsString(upstream.getKey(), json);
      json.append("\":{\"targets\":[");
      boolean firstTarget = true;
      for (UpstreamPools.TargetSnapshot target : upstream.getValue()) {
        if (!firstTarget) {
          json.append(',');
        }
        firstTarget = false;
        json.append("{\"url\":\"");
        JsonStringEncoder.getInstance().quoteAsString(target.target().toString(), json);
        json.append("\",\"open_connections\":").append(target.openConnections()).append('}');
      }
      json.append("]}");
    }
    json.append("}}");
    return AdminEndpoint.Reply.json(state.ready() ? 200 : 503, json.toString());
  }
}
