package dev.portcullis.ratelimit.filter;

import dev.portcullis.core.identity.Principal;
import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.ratelimit.algorithm.RateLimitDecision;
import java.util.concurrent.CompletableFuture;

/**
 * Applies a route's rate-limit policies of one phase (anonymous, before authentication; or
 * identity, after it). Local policies decide synchronously and allocate nothing on the admitted
 * path but the outcome kept for the headers; a cluster policy defers on its Redis call.
 *
 * <p>Threading: called on the event loop; a Redis answer completes on a Lettuce thread and the
 * engine resumes the chain on the event loop.
 */
final class RateLimitFilter implements RequestFilter {
  private final CompiledPolicy[] policies;
  private final boolean identityPhase;
  private final RateLimiting limiting;

  RateLimitFilter(CompiledPolicy[] policies, boolean identityPhase, RateLimiting limiting) {
    this.policies = policies;
    this.identityPhase = identityPhase;
    this.limiting = limiting;
  }

  @Override
  public FilterDecision onRequest(Exchange exchange) {
    Principal principal = exchange.get(Principal.KEY);
    LimitOutcome worst = exchange.get(LimitOutcome.KEY);
    CompletableFuture<LimitOutcome> pending = null;
    for (CompiledPolicy policy : policies) {
      if (!policy.appliesTo(exchange)) {
        continue;
      }
      String key = policy.key(exchange, principal);
      if (key == null) {
        continue;
      }
      if (policy.cluster) {
        CompletableFuture<LimitOutcome> call = limiting.clusterDecision(policy, key);
        pending = pending == null ? call : pending.thenCombine(call, RateLimitFilter::stricter);
      } else {
        worst =
            stricter(worst, policy.outcome(policy.local.tryAcquire(key, 1, exchange.startNanos())));
      }
    }
    if (identityPhase && principal != null && principal.keyType() != null) {
      CompiledPolicy keyDefault = limiting.keyTypePolicy(principal);
      if (keyDefault != null) {
        if (keyDefault.cluster) {
          CompletableFuture<LimitOutcome> call =
              limiting.clusterDecision(keyDefault, principal.credentialId());
          pending = pending == null ? call : pending.thenCombine(call, RateLimitFilter::stricter);
        } else {
          worst =
              stricter(
                  worst,
                  keyDefault.outcome(
                      keyDefault.local.tryAcquire(
                          principal.credentialId(), 1, exchange.startNanos())));
        }
      }
    }
    if (pending == null) {
      return decide(exchange, worst);
    }
    LimitOutcome local = worst;
    return FilterDecision.defer(
        pending.handle(
            (cluster, error) -> {
              if (error != null) {
                return limiting.unavailable(exchange);
              }
              return decide(exchange, stricter(local, cluster));
            }));
  }

  private FilterDecision decide(Exchange exchange, LimitOutcome outcome) {
    if (outcome == null) {
      return FilterDecision.CONTINUE;
    }
    exchange.set(LimitOutcome.KEY, outcome);
    if (RateLimitDecision.isAdmitted(outcome.decision())) {
      return FilterDecision.CONTINUE;
    }
    return limiting.refusal(exchange, outcome);
  }

  static LimitOutcome stricter(LimitOutcome a, LimitOutcome b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isLessRestrictiveThan(b) ? b : a;
  }
}
