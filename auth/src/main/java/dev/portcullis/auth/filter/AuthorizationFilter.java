package dev.portcullis.auth.filter;

import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.GatewayResponse;
import dev.portcullis.core.pipeline.RequestFilter;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Checks the permission the request's method and normalised path need (the first matching rule)
 * against the principal's. Routes that allow anonymous access are public and have no such filter.
 * Runs on the event loop; allocates nothing on success.
 */
final class AuthorizationFilter implements RequestFilter {
  private final Authentication auth;

  AuthorizationFilter(Authentication auth) {
    this.auth = auth;
  }

  @Override
  public FilterDecision onRequest(Exchange exchange) {
    String permission = auth.rules.required(exchange.method(), exchange.path());
    Principal principal = exchange.get(Principal.KEY);
    if (permission == null) {
      return FilterDecision.CONTINUE;
    }
    if (principal == null) {
      // An anonymous route still guards what a rule protects: a credential is needed here.
      GatewayResponse error =
          GatewayResponse.error(
              HttpResponseStatus.UNAUTHORIZED, "unauthorized", "Authentication required", exchange);
      error.headers().set("WWW-Authenticate", "Bearer realm=\"portcullis\"");
      return FilterDecision.respond(error);
    }
    if (principal.hasPermission(permission)) {
      return FilterDecision.CONTINUE;
    }
    auth.permissionDenials.increment();
    auth.audit.permissionDenied(exchange, principal, permission);
    return FilterDecision.respond(
        GatewayResponse.error(
            HttpResponseStatus.FORBIDDEN,
            "forbidden",
            "This credential lacks the permission " + permission,
            exchange));
  }
}
