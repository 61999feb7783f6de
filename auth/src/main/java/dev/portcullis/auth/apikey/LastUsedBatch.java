package dev.portcullis.auth.apikey;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Keys used since the last flush. A cache entry queues itself once per flush interval (a flag on
 * the entry), so a busy key costs one flag read per request, not a queue node.
 *
 * <p>Threading: {@link #add} from any thread (event loops included, never blocks); {@link #drain}
 * from the flusher thread only.
 */
final class LastUsedBatch {
  private final ConcurrentLinkedQueue<CachedKey> used = new ConcurrentLinkedQueue<>();

  void add(CachedKey entry) {
    if (entry.markQueued()) {
      used.add(entry);
    }
  }

  /** The entries used since the previous drain, each once. */
  List<CachedKey> drain() {
    List<CachedKey> entries = new ArrayList<>();
    for (CachedKey entry; (entry = used.poll()) != null; ) {
      entry.clearQueued();
      entries.add(entry);
    }
    return entries;
  }
}
