package dev.portcullis.ratelimit.cluster;

/** Redis did not answer a limiter call in time, failed it, or the breaker kept the call away. */
public final class RedisUnavailableException extends RuntimeException {
  public RedisUnavailableException(String message) {
    super(message, null, false, false);
  }
}
