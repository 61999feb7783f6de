package dev.portcullis.proxy.cache;

import dev.portcullis.proxy.admin.AdminEndpoint.Reply;
import dev.portcullis.proxy.admin.AdminRequest;
import dev.portcullis.proxy.admin.AdminRoute;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /admin/cache/purge?route=NAME} or {@code ?path_prefix=/rest/api/3/project}: drops the
 * matching entries here and, through Redis, on every replica. Answers {@code {"purged":n}}, n being
 * this replica's count.
 */
public final class CachePurgeEndpoint implements AdminRoute {
  public static final String PATH = "/admin/cache/purge";

  private final ResponseCache cache;

  public CachePurgeEndpoint(ResponseCache cache) {
    this.cache = cache;
  }

  @Override
  public CompletionStage<Reply> handle(AdminRequest request) {
    List<String> route = request.query().get("route");
    List<String> prefix = request.query().get("path_prefix");
    if ((route == null) == (prefix == null)
        || (route != null && route.size() != 1)
        || (prefix != null && (prefix.size() != 1 || !prefix.get(0).startsWith("/")))) {
      return CompletableFuture.completedFuture(
          Reply.error(
              400,
              "bad_request",
              "Give exactly one of route=NAME or path_prefix=/path (starting with /)."));
    }
    long purged = route != null ? cache.purgeRoute(route.get(0)) : cache.purgePrefix(prefix.get(0));
    return CompletableFuture.completedFuture(Reply.json(200, "{\"purged\":" + purged + "}"));
  }
}
