package dev.portcullis.proxy.upstream;

import dev.portcullis.core.config.LoadBalancing;
import dev.portcullis.core.config.UpstreamConfig;

/**
 * One upstream's targets as one event loop sees them, and the balancer that picks among them.
 * Loop-confined: the round-robin cursor and the in-flight counts need no atomics.
 */
public final class LoopUpstream {
  private final UpstreamConfig config;
  private final TargetPool[] targets;
  private int nextIndex;

  LoopUpstream(UpstreamConfig config, TargetPool[] targets) {
    this.config = config;
    this.targets = targets;
  }

  public UpstreamConfig config() {
    return config;
  }

  /** The target for the next request. */
  public TargetPool choose() {
    if (targets.length == 1) {
      return targets[0];
    }
    if (config.loadBalancing() == LoadBalancing.LEAST_REQUEST) {
      return leastRequest();
    }
    TargetPool chosen = targets[nextIndex];
    nextIndex = nextIndex + 1 == targets.length ? 0 : nextIndex + 1;
    return chosen;
  }

  /** Fewest in flight; ties go round-robin so equal targets share the load. */
  private TargetPool leastRequest() {
    int start = nextIndex;
    nextIndex = nextIndex + 1 == targets.length ? 0 : nextIndex + 1;
    TargetPool best = null;
    for (int i = 0; i < targets.length; i++) {
      TargetPool candidate = targets[(start + i) % targets.length];
      if (best == null || candidate.inFlight() < best.inFlight()) {
        best = candidate;
      }
    }
    return best;
  }

  TargetPool[] targets() {
    return targets;
  }
}
