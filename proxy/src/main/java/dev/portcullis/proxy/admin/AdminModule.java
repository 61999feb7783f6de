package dev.portcullis.proxy.admin;

import dev.portcullis.core.audit.AuditSink;

/**
 * A feature that adds endpoints to the admin listener (key management, for one). The gateway
 * registers it before the listener binds and closes it when it stops, after the proxy listener and
 * before the admin listener.
 */
public interface AdminModule extends AutoCloseable {
  /**
   * @param audit the gateway's audit sink, for the security events the endpoints cause
   */
  void register(AdminServer admin, AuditSink audit);

  @Override
  default void close() {}
}
