package dev.portcullis.core.pipeline;

/**
 * Where each module's filters sit in a route's chain ({@link RouteFilterFactory#order()}): the one
 * place the sequence is decided. Anonymous traffic is limited by client address before
 * authentication spends any work on it; identities are limited after it.
 */
public final class FilterOrder {
  public static final int RATE_LIMIT_ANONYMOUS = 100;
  public static final int AUTHENTICATION = 200;
  public static final int AUTHORIZATION = 300;
  public static final int RATE_LIMIT_IDENTITY = 400;
  public static final int CACHE = 500;

  private FilterOrder() {}
}
