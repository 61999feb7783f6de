package dev.portcullis.core.config;

import dev.portcullis.core.net.Cidr;
import java.time.Duration;
import java.util.List;

/**
 * A route's own edge limits and client networks, on top of the listener's ({@code routes[].limits},
 * {@code routes[].ip_allow}, {@code routes[].ip_deny}).
 *
 * @param maxBodyBytes replaces {@code server.limits.max_body_bytes} for this route (413 above it,
 *     declared or streamed); null to inherit it
 * @param requestTimeout replaces {@code server.limits.request_timeout} for this route (504 after
 *     it); 0 for none; null to inherit it
 * @param ipAllow when not empty, only clients in these networks may use the route (403 otherwise);
 *     checked after the listener's lists, which still apply
 * @param ipDeny clients in these networks may not use the route (403), even when allowed
 */
public record RouteEdgePolicy(
    Long maxBodyBytes, Duration requestTimeout, List<Cidr> ipAllow, List<Cidr> ipDeny) {

  /** Everything inherited from the listener. */
  public static final RouteEdgePolicy INHERIT =
      new RouteEdgePolicy(null, null, List.of(), List.of());

  public RouteEdgePolicy {
    if (maxBodyBytes != null && maxBodyBytes < 0) {
      throw new IllegalArgumentException(
          "routes[].limits.max_body_bytes: " + maxBodyBytes + " (expected: >= 0)");
    }
    if (requestTimeout != null) {
      Checks.notNegative("routes[].limits.request_timeout", requestTimeout);
    }
    ipAllow = List.copyOf(ipAllow);
    ipDeny = List.copyOf(ipDeny);
  }

  /** The body limit for this route, given the listener's. */
  public long maxBodyBytes(long listenerLimit) {
    return maxBodyBytes == null ? listenerLimit : maxBodyBytes;
  }

  /** The total request timeout for this route, given the listener's; zero for none. */
  public Duration requestTimeout(Duration listenerTimeout) {
    return requestTimeout == null ? listenerTimeout : requestTimeout;
  }

  /** True when the route has client networks of its own to check. */
  public boolean restrictsClients() {
    return !ipAllow.isEmpty() || !ipDeny.isEmpty();
  }
}
