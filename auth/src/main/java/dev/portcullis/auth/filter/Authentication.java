package dev.portcullis.auth.filter;

import dev.portcullis.auth.access.BruteForceGuard;
import dev.portcullis.auth.access.PermissionRules;
import dev.portcullis.auth.access.ScopePermissions;
import dev.portcullis.auth.apikey.ApiKeyVerifier;
import dev.portcullis.auth.jwt.JwtVerifier;
import dev.portcullis.auth.token.IdentityTokenIssuer;
import dev.portcullis.core.audit.AuditSink;
import dev.portcullis.core.config.AccessControlConfig;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.pipeline.FilterOrder;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Authentication and authorisation as the gateway's pipeline sees them: per route, an
 * authentication filter (picks the credential, verifies it, attaches the principal, strips the
 * credential and propagates the identity upstream) and an authorisation filter (the permission the
 * request needs against the principal's). Thread-safe; built once per configuration.
 */
public final class Authentication {

  /** The credential verifiers; a null one means that method is not configured. */
  public record Verifiers(ApiKeyVerifier apiKeys, JwtVerifier jwts) {}

  /**
   * How the verified identity reaches the backend: a token from {@code issuer} in {@code header}
   * ({@code Authorization} gets {@code Bearer <token>}; any other header the bare token), for the
   * audience {@code audienceForUpstream} names. A token is reused for the same principal and
   * audience for {@code reuseFor} (say half its lifetime), since an RSA signature per request would
   * cost more than the rest of the pipeline together; tokens are signed on {@code signer}, which
   * must not be an event loop.
   */
  public record IdentityPropagation(
      IdentityTokenIssuer issuer,
      String header,
      Function<String, String> audienceForUpstream,
      Duration reuseFor,
      Executor signer) {
    public IdentityPropagation {
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(audienceForUpstream, "audienceForUpstream");
      Objects.requireNonNull(reuseFor, "reuseFor");
      Objects.requireNonNull(signer, "signer");
    }
  }

  /** Counters of one credential method, for metrics. */
  static final class Attempts {
    final LongAdder success = new LongAdder();
    final LongAdder failure = new LongAdder();
    final LongAdder unavailable = new LongAdder();
    final LongAdder blocked = new LongAdder();
  }

  static final String METHOD_NONE = "none";

  final Verifiers verifiers;
  final IdentityTokens identityTokens;
  final ScopePermissions scopes;
  final PermissionRules rules;
  final BruteForceGuard bruteForce;
  final AuthAudit audit;
  final Map<String, Attempts> attempts = new LinkedHashMap<>();
  final LongAdder permissionDenials = new LongAdder();

  public Authentication(
      AccessControlConfig access,
      Verifiers verifiers,
      IdentityPropagation identity,
      AuditSink auditSink,
      LongSupplier nanoClock) {
    this.verifiers = Objects.requireNonNull(verifiers, "verifiers");
    this.identityTokens = identity == null ? null : new IdentityTokens(identity, nanoClock);
    this.scopes = new ScopePermissions(access.scopes());
    this.rules = PermissionRules.compile(access.rules());
    this.bruteForce = new BruteForceGuard(access.bruteForce(), nanoClock);
    this.audit = new AuthAudit(auditSink, access.auditSuccessInterval(), nanoClock);
    for (String method : List.of("api_key", "jwt", METHOD_NONE)) {
      attempts.put(method, new Attempts());
    }
  }

  public Authentication(
      AccessControlConfig access,
      Verifiers verifiers,
      IdentityPropagation identity,
      AuditSink auditSink) {
    this(access, verifiers, identity, auditSink, System::nanoTime);
  }

  /** The two factories to hand to the router: authentication first, authorisation after it. */
  public List<RouteFilterFactory> filterFactories() {
    return List.of(
        new RouteFilterFactory() {
          @Override
          public int order() {
            return FilterOrder.AUTHENTICATION;
          }

          @Override
          public List<RequestFilter> requestFilters(RouteConfig route) {
            return List.of(new AuthenticationFilter(Authentication.this, route));
          }
        },
        new RouteFilterFactory() {
          @Override
          public int order() {
            return FilterOrder.AUTHORIZATION;
          }

          @Override
          public List<RequestFilter> requestFilters(RouteConfig route) {
            // A route open to anonymous requests is public: there is no permission to check.
            return route.auth().anonymous()
                ? List.of()
                : List.of(new AuthorizationFilter(Authentication.this));
          }
        });
  }

  /**
   * Authentication attempts by credential method ({@code api_key}, {@code jwt}, {@code none}) and
   * result, in the order success, failure, unavailable, blocked.
   */
  public Map<String, long[]> attemptsByMethod() {
    Map<String, long[]> out = new LinkedHashMap<>();
    attempts.forEach(
        (method, a) ->
            out.put(
                method,
                new long[] {
                  a.success.sum(), a.failure.sum(), a.unavailable.sum(), a.blocked.sum()
                }));
    return out;
  }

  /** Authenticated requests refused for lacking the route's permission. */
  public long permissionDenials() {
    return permissionDenials.sum();
  }

  /**
   * For metrics: identity tokens signed, requests that waited for theirs to be signed, and
   * signatures queued now; null when no identity tokens are sent.
   */
  public long[] identityTokenCounts() {
    return identityTokens == null ? null : identityTokens.counts();
  }

  Attempts attempts(String method) {
    return attempts.get(method == null ? METHOD_NONE : method);
  }
}
