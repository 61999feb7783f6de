package dev.portcullis.core.pipeline;

import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The builder for every Caffeine cache read or written on an event loop (credential caches, rate
 * limiter state, the response cache, audit de-duplication).
 *
 * <p>Caffeine hands its maintenance (draining the read buffers, expiring, evicting) to {@code
 * ForkJoinPool.commonPool()} by default. Under load that is a thread wake-up every few dozen reads
 * per cache, and the pool thread then contends with the event loop for the cache's eviction lock:
 * the end-to-end benchmark measured about a tenth of a loaded core spent in those hand-offs with
 * six caches on the request path. Running the maintenance on the calling thread costs amortised
 * nanoseconds and wakes nobody. Nothing here may therefore hang a slow listener on these caches:
 * removal and eviction listeners run on the event loop too.
 */
public final class EventLoopCaches {
  private EventLoopCaches() {}

  /** A Caffeine builder whose maintenance runs on the thread that uses the cache. */
  public static Caffeine<Object, Object> newBuilder() {
    return Caffeine.newBuilder().executor(Runnable::run);
  }
}
