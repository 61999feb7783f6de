package dev.portcullis.core.pipeline;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A typed slot on an {@link Exchange}, for filters to hand values to later filters (the principal,
 * a rate-limit result). Keys are created once, as constants; each gets a small index so an exchange
 * stores its attributes in an array instead of a map.
 */
public final class ExchangeKey<T> {
  private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

  private final String name;
  private final int index;

  private ExchangeKey(String name) {
    this.name = name;
    this.index = NEXT_INDEX.getAndIncrement();
  }

  public static <T> ExchangeKey<T> of(String name) {
    return new ExchangeKey<>(name);
  }

  public int index() {
    return index;
  }

  /** How many keys exist now: the size an attribute array needs. */
  public static int count() {
    return NEXT_INDEX.get();
  }

  @Override
  public String toString() {
    return name;
  }
}
