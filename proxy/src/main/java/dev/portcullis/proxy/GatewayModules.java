package dev.portcullis.proxy;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.filter.Authentication;
import dev.portcullis.auth.jwt.JwtValidator;
import dev.portcullis.auth.jwt.TokenRevocations;
import dev.portcullis.auth.token.IdentityTokenIssuer;
import dev.portcullis.auth.token.RsaIdentityTokenIssuer;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import dev.portcullis.proxy.admin.AdminModule;
import dev.portcullis.proxy.admin.AdminRoute;
import dev.portcullis.proxy.cache.CachePurgeEndpoint;
import dev.portcullis.proxy.cache.ResponseCache;
import dev.portcullis.proxy.keys.ApiKeyAdmin;
import dev.portcullis.proxy.observe.Observability;
import dev.portcullis.ratelimit.filter.RateLimiting;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request-level modules of one gateway (rate limiting, authentication, the response cache),
 * built from its configuration snapshot: the filters they contribute to routes, and what must be
 * closed after the event loops stop (Redis clients, the credential store). The one place modules
 * are wired.
 */
final class GatewayModules implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayModules.class);

  private final List<RouteFilterFactory> filterFactories = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<AdminModule> adminModules = new ArrayList<>();
  private IdentityTokenIssuer identityTokens;

  /** A revocation check slower than this answers Unavailable rather than hold the request. */
  private static final Duration REVOCATION_TIMEOUT = Duration.ofMillis(250);

  private GatewayModules() {}

  /**
   * Builds every module; on failure closes what was already built and rethrows.
   *
   * @param observability where modules record audit events and register their metrics
   * @param givenKeys an API-key service to use (owned from here on), or null to open the configured
   *     one when a pepper is configured
   */
  static GatewayModules create(
      GatewayConfig config, Observability observability, ApiKeyService givenKeys) {
    GatewayModules modules = new GatewayModules();
    ApiKeyService keys = givenKeys;
    try {
      if (keys == null && config.auth().apiKeys().pepper() != null) {
        keys = ApiKeyService.open(config);
      }
      ApiKeyAdmin keyAdmin = null;
      if (keys != null) {
        modules.closeables.add(keys);
        keyAdmin = new ApiKeyAdmin(keys, false);
        modules.adminModules.add(keyAdmin);
      } else {
        log.warn(
            "auth.api_keys.pepper is not configured: API keys are not accepted and the admin"
                + " API (key management, cache purge) is off");
      }
      RateLimiting rateLimiting = RateLimiting.create(config.rateLimits());
      modules.closeables.add(rateLimiting);
      modules.filterFactories.addAll(rateLimiting.filterFactories());
      observability.registerRateLimiting(rateLimiting);

      JwtConfig jwt = config.auth().jwt();
      JwtValidator jwtValidator = null;
      if (!jwt.issuers().isEmpty()) {
        TokenRevocations revocations =
            jwt.revocationRedisUri() == null
                ? TokenRevocations.inMemory(Clock.systemUTC())
                : TokenRevocations.redis(
                    jwt.revocationRedisUri(), REVOCATION_TIMEOUT, Clock.systemUTC());
        modules.closeables.add(revocations);
        jwtValidator = JwtValidator.create(jwt, revocations, Clock.systemUTC());
        modules.closeables.add(jwtValidator);
      }
      modules.identityTokens = identityTokens(jwt.identityToken());
      Authentication.IdentityPropagation propagation = null;
      if (modules.identityTokens != null) {
        ExecutorService signer = identityTokenSigner();
        modules.closeables.add(signer::shutdown);
        propagation =
            new Authentication.IdentityPropagation(
                modules.identityTokens,
                jwt.identityToken().header(),
                jwt.identityToken()::audienceFor,
                jwt.identityToken().ttl().dividedBy(2),
                signer);
      }
      Authentication authentication =
          new Authentication(
              config.auth().access(),
              new Authentication.Verifiers(keys, jwtValidator),
              propagation,
              observability.auditSink());
      modules.filterFactories.addAll(authentication.filterFactories());
      observability.registerAuthentication(authentication);

      ResponseCache cache = ResponseCache.create(config.cache());
      modules.closeables.add(cache);
      modules.filterFactories.add(cache.filterFactory());
      observability.registerCache(cache);
      if (keyAdmin != null) {
        // Purging is an admin action: it takes the same admin key as key management.
        AdminRoute purge = keyAdmin.requireAdmin(new CachePurgeEndpoint(cache));
        modules.adminModules.add(
            (admin, audit) -> admin.route(HttpMethod.POST, CachePurgeEndpoint.PATH, purge));
      }
      return modules;
    } catch (RuntimeException e) {
      if (keys != null && !modules.closeables.contains(keys)) {
        keys.close();
      }
      modules.close();
      throw e;
    }
  }

  private static IdentityTokenIssuer identityTokens(JwtConfig.IdentityToken config) {
    if (!config.enabled()) {
      return null;
    }
    try {
      return RsaIdentityTokenIssuer.create(config, Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      // A signing key file that cannot be read: the message names the key and the file.
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * The threads identity tokens are signed on: as many as cores, since a burst of new principals (a
   * replica starting behind a busy balancer) queues one signature each; idle threads end.
   */
  private static ExecutorService identityTokenSigner() {
    int threads = Runtime.getRuntime().availableProcessors();
    ThreadPoolExecutor signer =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            new DefaultThreadFactory("portcullis-identity-sign", true));
    signer.allowCoreThreadTimeOut(true);
    return signer;
  }

  /** Signs the identity tokens for backends; null when they are switched off. */
  IdentityTokenIssuer identityTokens() {
    return identityTokens;
  }

  /** Endpoints the modules add to the admin listener (key management). */
  List<AdminModule> adminModules() {
    return Collections.unmodifiableList(adminModules);
  }

  List<RouteFilterFactory> filterFactories() {
    return Collections.unmodifiableList(filterFactories);
  }

  /** Hands the modules over to be closed when the gateway stops, latest built first. */
  List<AutoCloseable> closeables() {
    List<AutoCloseable> reversed = new ArrayList<>(closeables);
    Collections.reverse(reversed);
    return reversed;
  }

  @Override
  public void close() {
    for (AutoCloseable closeable : closeables()) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("closing {} failed", closeable.getClass().getSimpleName(), e);
      }
    }
  }
}
