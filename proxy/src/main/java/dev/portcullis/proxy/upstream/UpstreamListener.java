package dev.portcullis.proxy.upstream;

import io.netty.handler.codec.http.HttpObject;

/**
 * The exchange currently using an upstream connection. Every call comes on the connection's event
 * loop, which is also the exchange's.
 */
public interface UpstreamListener {

  /** A response part; the listener owns {@code msg} and must release or pass it on. */
  void onResponsePart(HttpObject msg);

  /** The end of one read burst from the upstream: time to flush what was relayed. */
  void onResponseReadComplete();

  /** The upstream channel can take more writes again (request body backpressure). */
  void onUpstreamWritable();

  /** The connection closed or failed while bound to this listener. */
  void onUpstreamFailure(Throwable cause);

  /**
   * No response began within the time given to {@link UpstreamConnection#awaitResponse}; the
   * connection keeps no claim on it.
   */
  void onResponseTimeout();
}
