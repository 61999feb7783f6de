package dev.portcullis.core.pipeline;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link RequestFilter} decided. {@link #CONTINUE} is a shared constant, so a filter that
 * lets a request through allocates nothing; only a filter that must wait (Redis, JWKS, JDBC)
 * returns a {@link Deferred} stage.
 */
public sealed interface FilterDecision
    permits FilterDecision.Continue, FilterDecision.Respond, FilterDecision.Deferred {

  FilterDecision CONTINUE = new Continue();

  /** Stop the chain and answer the client with this response; the upstream is never called. */
  static FilterDecision respond(GatewayResponse response) {
    return new Respond(response);
  }

  /**
   * The decision is not known yet. The stage may complete on any thread, with any decision
   * including another deferred one; the engine resumes the chain on the request's event loop.
   */
  static FilterDecision defer(CompletionStage<FilterDecision> stage) {
    return new Deferred(stage);
  }

  final class Continue implements FilterDecision {
    private Continue() {}

    @Override
    public String toString() {
      return "CONTINUE";
    }
  }

  record Respond(GatewayResponse response) implements FilterDecision {
    public Respond {
      Objects.requireNonNull(response, "response");
    }
  }

  record Deferred(CompletionStage<FilterDecision> stage) implements FilterDecision {
    public Deferred {
      Objects.requireNonNull(stage, "stage");
    }
  }
}
