package dev.portcullis.proxy.observe;

import dev.portcullis.core.pipeline.Exchange;
import dev.portcullis.proxy.upstream.Target;

/**
 * An exchange as the observers see it when it ends. Read only during {@link
 * GatewayObserver#exchangeEnded}, on the exchange's event loop: an observer that needs a value
 * later (the access log) copies it then.
 */
public interface ExchangeRecord extends Exchange {

  /** The status sent to the client, or 0 when the client went away before a response head. */
  int status();

  /**
   * From the decoded request head to the last response byte written (or the exchange abandoned).
   */
  long durationNanos();

  /**
   * Time spent waiting for the upstream: from asking the pool for a connection to the last response
   * byte received (or the failure); 0 when the upstream was not asked.
   */
  long upstreamNanos();

  /** Request body bytes received from the client (headers not included). */
  long requestBodyBytes();

  /** Response body bytes sent to the client (headers not included). */
  long responseBodyBytes();

  /** The upstream target chosen, or null when the request was not forwarded. */
  Target upstreamTarget();
}
