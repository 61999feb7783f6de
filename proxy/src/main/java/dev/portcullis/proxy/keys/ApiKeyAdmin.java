package dev.portcullis.proxy.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.apikey.ApiKeyAudit;
import dev.portcullis.auth.apikey.ApiKeyInfo;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyType;
import dev.portcullis.auth.apikey.InvalidKeyRequest;
import dev.portcullis.auth.apikey.IssuedApiKey;
import dev.portcullis.auth.apikey.NewApiKey;
import dev.portcullis.core.audit.AuditSink;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.proxy.admin.AdminEndpoint.Reply;
import dev.portcullis.proxy.admin.AdminModule;
import dev.portcullis.proxy.admin.AdminRequest;
import dev.portcullis.proxy.admin.AdminRoute;
import dev.portcullis.proxy.admin.AdminServer;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Key management on the admin listener: {@code POST /admin/api-keys}, {@code GET /admin/api-keys},
 * {@code GET|DELETE /admin/api-keys/{id}}, {@code POST /admin/api-keys/{id}/rotate}. Every route
 * needs an admin key ({@code atl_admin_...} as {@code Authorization: Bearer} or {@code X-API-Key}):
 * none or a refused one is 401, another type of key is 403. The clear key appears in exactly two
 * replies (create and rotate) and nowhere else: not in listings, logs or audit events.
 *
 * <p>Threading: routes run on the admin loop only long enough to parse; the key service's stages
 * complete on its JDBC threads, where audit events are recorded (the sink may block those).
 */
public final class ApiKeyAdmin implements AdminModule {
  static final String BASE = "/admin/api-keys";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REALM = "Bearer realm=\"portcullis-admin\"";

  private final ApiKeyService keys;
  private final boolean ownsService;
  private volatile AuditSink audit;

  /**
   * @param ownsService whether closing this module closes the service
   */
  public ApiKeyAdmin(ApiKeyService keys, boolean ownsService) {
    this.keys = keys;
    this.ownsService = ownsService;
  }

  @Override
  public void register(AdminServer admin, AuditSink audit) {
    this.audit = audit;
    admin.route(HttpMethod.POST, BASE, r -> asAdmin(r, actor -> create(r, actor)));
    admin.route(HttpMethod.GET, BASE, r -> asAdmin(r, actor -> list(r)));
    admin.route(HttpMethod.GET, BASE + "/{id}", r -> asAdmin(r, actor -> show(r)));
    admin.route(HttpMethod.DELETE, BASE + "/{id}", r -> asAdmin(r, actor -> revoke(r, actor)));
    admin.route(HttpMethod.POST, BASE + "/{id}/rotate", r -> asAdmin(r, actor -> rotate(r, actor)));
  }

  /**
   * The same route, answered only for a request carrying a valid admin key (401/403 otherwise): for
   * the other modules' admin endpoints, such as the cache purge.
   */
  public AdminRoute requireAdmin(AdminRoute route) {
    return r -> asAdmin(r, actor -> route.handle(r));
  }

  @Override
  public void close() {
    if (ownsService) {
      keys.close();
    }
  }

  private CompletionStage<Reply> asAdmin(
      AdminRequest request, Function<Principal, CompletionStage<Reply>> then) {
    String presented = presentedKey(request);
    if (presented == null) {
      return done(
          unauthorized("An admin API key is required (Authorization: Bearer or X-API-Key)."));
    }
    return keys.verify(presented, request.remote().getAddress())
        .thenCompose(
            verdict -> {
              if (verdict instanceof AuthVerdict.Authenticated ok) {
                if (!ApiKeyType.ADMIN.configName().equals(ok.principal().keyType())) {
                  return done(
                      Reply.error(403, "forbidden", "Only an admin key may use the admin API."));
                }
                return then.apply(ok.principal()).exceptionally(ApiKeyAdmin::failure);
              }
              if (verdict instanceof AuthVerdict.Unavailable) {
                return done(
                    Reply.error(
                        503,
                        "unavailable",
                        "The credential store cannot be reached; retry later."));
              }
              return done(unauthorized("The API key is not valid."));
            });
  }

  private static String presentedKey(AdminRequest request) {
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    String header = request.headers().get("X-API-Key");
    return header == null ? null : header.trim();
  }

  private static Reply unauthorized(String message) {
    return Reply.error(401, "unauthorized", message).withHeader("WWW-Authenticate", REALM);
  }

  private CompletionStage<Reply> create(AdminRequest request, Principal actor) {
    NewApiKey wanted;
    try {
      wanted = KeyRequests.fromJson(request.body(), keys.now());
    } catch (InvalidKeyRequest e) {
      return done(badRequest(e));
    }
    return keys.create(wanted)
        .thenApply(
            issued -> {
              record(ApiKeyAudit.CREATED, issued.info(), actor, request);
              return Reply.json(201, json(withKey(issued)))
                  .withHeader("Location", BASE + "/" + issued.info().id());
            });
  }

  private CompletionStage<Reply> list(AdminRequest request) {
    return keys.list(request.queryParam("subject"), request.queryParam("tenant"))
        .thenApply(
            found ->
                Reply.json(
                    200,
                    json(
                        Map.of(
                            "api_keys", found.stream().map(k -> k.toJson(keys.now())).toList()))));
  }

  private CompletionStage<Reply> show(AdminRequest request) {
    return keys.get(request.param("id"))
        .thenApply(
            found ->
                found
                    .map(k -> Reply.json(200, json(k.toJson(keys.now()))))
                    .orElseGet(() -> notFound(request)));
  }

  private CompletionStage<Reply> revoke(AdminRequest request, Principal actor) {
    return keys.revoke(request.param("id"))
        .thenApply(
            revoked -> {
              revoked.ifPresent(k -> record(ApiKeyAudit.REVOKED, k, actor, request));
              return revoked
                  .map(k -> Reply.json(200, json(k.toJson(keys.now()))))
                  .orElseGet(() -> notFound(request));
            });
  }

  private CompletionStage<Reply> rotate(AdminRequest request, Principal actor) {
    return keys.rotate(request.param("id"))
        .thenApply(
            (Optional<IssuedApiKey> rotated) -> {
              rotated.ifPresent(k -> record(ApiKeyAudit.ROTATED, k.info(), actor, request));
              return rotated
                  .map(k -> Reply.json(200, json(withKey(k))))
                  .orElseGet(
                      () ->
                          Reply.error(
                              404,
                              "not_found",
                              "No active API key "
                                  + request.param("id")
                                  + " (revoked keys cannot be rotated)."));
            });
  }

  private void record(String action, ApiKeyInfo key, Principal actor, AdminRequest request) {
    audit.record(
        ApiKeyAudit.event(
            action,
            key,
            actor.subject(),
            actor.credentialId(),
            request.remote().getAddress().getHostAddress(),
            null));
  }

  private Map<String, Object> withKey(IssuedApiKey issued) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("key", issued.key());
    body.put("notice", "This key is shown once; store it now.");
    body.putAll(issued.info().toJson(keys.now()));
    return body;
  }

  private static Reply notFound(AdminRequest request) {
    return Reply.error(404, "not_found", "No API key " + request.param("id") + ".");
  }

  private static Reply badRequest(InvalidKeyRequest e) {
    return Reply.error(400, "invalid_request", e.getMessage());
  }

  private static Reply failure(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof InvalidKeyRequest invalid) {
      return badRequest(invalid);
    }
    throw error instanceof CompletionException c ? c : new CompletionException(error);
  }

  private static CompletionStage<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
