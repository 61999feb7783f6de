package dev.portcullis.auth.filter;

import dev.portcullis.auth.AuthFailure;
import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.core.config.RouteAuth;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.GatewayResponse;
import dev.portcullis.core.pipeline.RequestFilter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route's authentication: refuses blocked client addresses, picks the presented credential,
 * verifies it with the method's verifier, and on success attaches the principal (with the
 * permissions its scopes grant), removes the client's credential headers and adds the identity
 * token for the upstream.
 *
 * <p>Every refusal of a presented credential is the same 401, whatever the reason, so a client
 * cannot tell an unknown key from a revoked one; the reason goes to the audit log and metrics.
 *
 * <p>Threading: runs on the request's event loop. A verdict from a verifier's cache is handled at
 * once; one that must wait (a store lookup, a JWKS fetch), like an identity token that must be
 * signed first, is handled back on the exchange's event loop, since the exchange is not
 * thread-safe.
 */
final class AuthenticationFilter implements RequestFilter {
  private static final Logger log = LoggerFactory.getLogger(AuthenticationFilter.class);
  private static final String REALM = "Bearer realm=\"portcullis\"";
  private static final String REALM_INVALID = REALM + ", error=\"invalid_token\"";

  private final Authentication auth;
  private final RouteAuth routeAuth;
  private final String audience;

  AuthenticationFilter(Authentication auth, RouteConfig route) {
    this.auth = auth;
    this.routeAuth = route.auth();
    this.audience =
        auth.identityTokens == null ? null : auth.identityTokens.audienceFor(route.upstream());
  }

  @Override
  public FilterDecision onRequest(Exchange exchange) {
    InetAddress client = exchange.clientAddress().getAddress();
    long blockedFor = auth.bruteForce.blockedForNanos(client);
    PresentedCredential credential = PresentedCredential.from(exchange.requestHeaders());
    if (blockedFor > 0) {
      auth.attempts(credential.method()).blocked.increment();
      return FilterDecision.respond(tooManyFailures(exchange, blockedFor));
    }
    if (credential.problem() != null) {
      auth.attempts(null).failure.increment();
      auth.audit.failure(exchange, null, AuthFailure.MALFORMED.code(), null, null);
      return FilterDecision.respond(
          GatewayResponse.error(
              HttpResponseStatus.BAD_REQUEST,
              "invalid_credentials",
              credential.problem(),
              exchange));
    }
    if (!credential.isPresent()) {
      if (routeAuth.anonymous()) {
        return FilterDecision.CONTINUE;
      }
      auth.attempts(null).failure.increment();
      auth.audit.failure(exchange, null, AuthFailure.MISSING.code(), null, null);
      return FilterDecision.respond(unauthorized(exchange, REALM, "Authentication required"));
    }
    CompletionStage<AuthVerdict> stage = verify(credential, client);
    if (stage == null) {
      return reject(
          exchange, credential.method(), new AuthVerdict.Rejected(AuthFailure.METHOD_NOT_ACCEPTED));
    }
    CompletableFuture<AuthVerdict> future = stage.toCompletableFuture();
    if (future.isDone() && !future.isCompletedExceptionally()) {
      return decide(exchange, credential.method(), future.join());
    }
    String method = credential.method();
    return FilterDecision.defer(
        stage.handleAsync(
            (verdict, error) ->
                decide(
                    exchange,
                    method,
                    error == null
                        ? verdict
                        : new AuthVerdict.Unavailable(error.getClass().getSimpleName())),
            exchange.executor()));
  }

  private CompletionStage<AuthVerdict> verify(PresentedCredential credential, InetAddress client) {
    if (!routeAuth.accepts(credential.method())) {
      return null;
    }
    if (RouteAuth.JWT.equals(credential.method())) {
      return auth.verifiers.jwts() == null
          ? null
          : auth.verifiers.jwts().verify(credential.value());
    }
    return auth.verifiers.apiKeys() == null
        ? null
        : auth.verifiers.apiKeys().verify(credential.value(), client);
  }

  private FilterDecision decide(Exchange exchange, String method, AuthVerdict verdict) {
    if (verdict instanceof AuthVerdict.Authenticated authenticated) {
      Principal principal = auth.scopes.withPermissions(authenticated.principal());
      exchange.set(Principal.KEY, principal);
      HttpHeaders headers = exchange.requestHeaders();
      headers.remove(HttpHeaderNames.AUTHORIZATION);
      headers.remove(PresentedCredential.X_API_KEY);
      auth.attempts(method).success.increment();
      auth.audit.success(exchange, principal);
      return auth.identityTokens == null
          ? FilterDecision.CONTINUE
          : withIdentityToken(exchange, principal);
    }
    if (verdict instanceof AuthVerdict.Unavailable) {
      auth.attempts(method).unavailable.increment();
      auth.audit.unavailable(exchange, method);
      return unavailable(exchange, "The credential could not be checked right now; retry shortly");
    }
    return reject(exchange, method, (AuthVerdict.Rejected) verdict);
  }

  private FilterDecision withIdentityToken(Exchange exchange, Principal principal) {
    IdentityTokens tokens = auth.identityTokens;
    AsciiString token = tokens.headerValue(principal, audience);
    if (token != null) {
      exchange.requestHeaders().set(tokens.header(), token);
      return FilterDecision.CONTINUE;
    }
    return FilterDecision.defer(
        tokens
            .sign(principal, audience)
            .handleAsync(
                (signed, error) -> {
                  if (error != null) {
                    log.warn("the identity token for the upstream could not be signed", error);
                    return unavailable(
                        exchange, "The request could not be passed on right now; retry shortly");
                  }
                  exchange.requestHeaders().set(tokens.header(), signed);
                  return FilterDecision.CONTINUE;
                },
                exchange.executor()));
  }

  private static FilterDecision unavailable(Exchange exchange, String message) {
    GatewayResponse error =
        GatewayResponse.error(
            HttpResponseStatus.SERVICE_UNAVAILABLE, "auth_unavailable", message, exchange);
    error.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    return FilterDecision.respond(error);
  }

  private FilterDecision reject(Exchange exchange, String method, AuthVerdict.Rejected rejected) {
    auth.attempts(method).failure.increment();
    auth.audit.failure(
        exchange, method, rejected.failure().code(), rejected.credentialId(), rejected.subject());
    long block = auth.bruteForce.recordFailure(exchange.clientAddress().getAddress());
    if (block > 0) {
      auth.audit.ipBlocked(exchange, method, block);
    }
    return FilterDecision.respond(unauthorized(exchange, REALM_INVALID, "Invalid credentials"));
  }

  private static GatewayResponse unauthorized(Exchange exchange, String challenge, String message) {
    GatewayResponse error =
        GatewayResponse.error(HttpResponseStatus.UNAUTHORIZED, "unauthorized", message, exchange);
    error.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
    return error;
  }

  private static GatewayResponse tooManyFailures(Exchange exchange, long blockedForNanos) {
    GatewayResponse error =
        GatewayResponse.error(
            HttpResponseStatus.TOO_MANY_REQUESTS,
            "too_many_failed_attempts",
            "Too many failed authentication attempts from this address",
            exchange);
    long seconds = Math.max(1, (blockedForNanos + 999_999_999L) / 1_000_000_000L);
    error.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
    return error;
  }
}
