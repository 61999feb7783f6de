package dev.portcullis.proxy.admin;

import java.util.concurrent.CompletionStage;

/**
 * An admin endpoint for one method and path pattern that may wait (on JDBC, on Redis): it returns a
 * stage and the admin loop stays free meanwhile. The stage may complete on any thread; the reply is
 * written on the connection's loop. A stage that fails is answered 500 without its message.
 */
@FunctionalInterface
public interface AdminRoute {
  CompletionStage<AdminEndpoint.Reply> handle(AdminRequest request);
}
