package dev.portcullis.proxy.admin;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.portcullis.proxy.forward.GatewayState;
import dev.portcullis.proxy.upstream.TargetHealth;
import dev.portcullis.proxy.upstream.UpstreamPools;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code /health/live} (the process runs), {@code /health/ready} (listeners bound, not draining;
 * with each upstream's targets, so an operator sees the pools) and {@code /admin/upstreams} (the
 * same targets alone). A target shows its open connections, its health-check verdict, its circuit
 * breaker's state and, while ejected, until when. Readiness does not depend on the targets: a
 * gateway whose upstream is down still answers (503 with Retry-After), so it stays in rotation.
 */
public final class HealthEndpoints {
  private HealthEndpoints() {}

  public static void register(AdminServer admin, GatewayState state, UpstreamPools pools) {
    admin.register("/health/live", () -> AdminEndpoint.Reply.json(200, "{\"status\":\"live\"}"));
    admin.register("/health/ready", () -> ready(state, pools));
    admin.register(
        "/admin/upstreams",
        () -> {
          StringBuilder json = new StringBuilder(256).append('{');
          upstreams(json, pools);
          return AdminEndpoint.Reply.json(200, json.append('}').toString());
        });
  }

  private static AdminEndpoint.Reply ready(GatewayState state, UpstreamPools pools) {
    String status = state.draining() ? "draining" : state.ready() ? "ready" : "starting";
    StringBuilder json = new StringBuilder(256);
    json.append("{\"status\":\"").append(status).append("\",");
    upstreams(json, pools);
    json.append('}');
    return AdminEndpoint.Reply.json(state.ready() ? 200 : 503, json.toString());
  }

  private static void upstreams(StringBuilder json, UpstreamPools pools) {
    long now = System.nanoTime();
    Instant wallNow = Instant.now();
    json.append("\"upstreams\":{");
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
        TargetHealth health = target.health();
        json.append("\",\"open_connections\":").append(target.openConnections());
        json.append(",\"healthy\":").append(health.healthy());
        json.append(",\"circuit_breaker\":\"").append(health.breakerState().label());
        long ejectedFor = health.ejectedForNanos(now);
        json.append("\",\"ejected_until\":");
        if (ejectedFor > 0) {
          json.append('"').append(wallNow.plusNanos(ejectedFor)).append('"');
        } else {
          json.append("null");
        }
        json.append('}');
      }
      json.append("]}");
    }
    json.append('}');
  }
}
