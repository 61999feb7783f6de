package dev.portcullis.auth.access;

import com.github.benmanes.caffeine.cache.Cache;
import dev.portcullis.core.config.AccessControlConfig;
import dev.portcullis.core.pipeline.EventLoopCaches;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Blocks client addresses that keep presenting bad credentials: after {@code max_failures} within
 * {@code window}, an address is refused for {@code block_time}, doubled for each further block up
 * to {@code max_block_time}. A success does not clear the count, so one valid key cannot launder a
 * guessing run.
 *
 * <p>Per replica: behind a load balancer spreading one client over N replicas, an attacker gets at
 * most N times the budget before every replica blocks it, which still ends a guessing run.
 *
 * <p>Thread-safe. The per-request cost is one cache lookup ({@link #blockedForNanos}); counting
 * happens only on failures, under the address's own lock.
 */
public final class BruteForceGuard {
  private final AccessControlConfig.BruteForce config;
  private final LongSupplier nanoClock;
  private final Cache<InetAddress, Offender> offenders;

  public BruteForceGuard(AccessControlConfig.BruteForce config, LongSupplier nanoClock) {
    this.config = config;
    this.nanoClock = nanoClock;
    Duration keep = config.maxBlockTime().plus(config.window()).multipliedBy(2);
    this.offenders =
        EventLoopCaches.newBuilder()
            .maximumSize(1_000_000)
            .expireAfterAccess(keep.toNanos(), TimeUnit.NANOSECONDS)
            .build();
  }

  /** How much longer the address stays blocked, or 0 when it is not blocked. */
  public long blockedForNanos(InetAddress client) {
    if (!config.enabled()) {
      return 0;
    }
    Offender offender = offenders.getIfPresent(client);
    if (offender == null) {
      return 0;
    }
    synchronized (offender) {
      long left = offender.blockedUntil - nanoClock.getAsLong();
      return left > 0 ? left : 0;
    }
  }

  /**
   * Counts a refused credential.
   *
   * @return the length of the block this failure started, or 0 when it started none
   */
  public long recordFailure(InetAddress client) {
    if (!config.enabled()) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    Offender offender = offenders.get(client, c -> new Offender(now));
    synchronized (offender) {
      if (now - offender.blockedUntil < 0) {
        return 0;
      }
      if (offender.failures == 0 || now - offender.windowStart >= config.window().toNanos()) {
        offender.windowStart = now;
        offender.failures = 0;
      }
      offender.failures++;
      if (offender.failures < config.maxFailures()) {
        return 0;
      }
      long block = config.blockTime().toNanos();
      long max = config.maxBlockTime().toNanos();
      for (int i = 0; i < offender.blocks && block < max; i++) {
        block = Math.min(max, block * 2);
      }
      offender.blocks++;
      offender.failures = 0;
      offender.blockedUntil = now + block;
      return block;
    }
  }

  private static final class Offender {
    long windowStart;
    int failures;
    int blocks;
    long blockedUntil;

    Offender(long now) {
      this.windowStart = now;
      this.blockedUntil = now;
    }
  }
}
