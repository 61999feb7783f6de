package dev.portcullis.core.audit;

/**
 * Where security-relevant events go: failed and successful authentications, API keys created or
 * revoked, IP addresses blocked. Unlike the access log, an audit sink never drops an event
 * silently.
 *
 * <p>Threading: {@link #record} may be called from any thread, event loops included. An
 * implementation must never block an event loop; it may block another thread (a worker waiting on
 * JDBC, an admin task) while its output catches up.
 */
@FunctionalInterface
public interface AuditSink {

  /**
   * Records the event. Returns once the event is queued, not necessarily written.
   *
   * @throws IllegalStateException when the sink is closed: the event was not recorded
   */
  void record(AuditEvent event);
}
