package dev.portcullis.proxy.cache;

import dev.portcullis.proxy.admin.AdminEndpoint;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /admin/cache/purge?route=NAME} or {@code ?path_prefix=/rest/api/3/project}: drops the
 * matching entries here and, through Redis, on every replica. Answers {@code {"purged":n}}, n being
 * this replica's count.
 */
public final class CachePurgeEndpoint implements AdminEndpoint {
  public static final String PATH = "/admin/cache/purge";

  private final ResponseCache cache;

  public CachePurgeEndpoint(ResponseCache cache) {
    this.cache = cache;
  }

  @Override
  public boolean allows(HttpMethod method) {
    return method.equals(HttpMethod.POST);
  }

  @Override
  public Reply handle() {
    return Reply.error(405, "method_not_allowed", "Use POST.");
  }

  @Override
  public Reply handle(HttpMethod method, Map<String, List<String>> query, HttpHeaders headers) {
    List<String> route = query.get("route");
    List<String> prefix = query.get("path_prefix");
    if ((route == null) == (prefix == null)
        || (route != null && route.size() != 1)
        || (prefix != null && (prefix.size() != 1 || !prefix.get(0).startsWith("/")))) {
      return Reply.error(
          400,
          "bad_request",
          "Give exactly one of route=NAME or path_prefix=/path (starting with /).");
    }
    long purged = route != null ? cache.purgeRoute(route.get(0)) : cache.purgePrefix(prefix.get(0));
    return Reply.json(200, "{\"purged\":" + purged + "}");
  }
}
