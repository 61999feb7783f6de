package dev.portcullis.proxy.forward;

/**
 * Fired down every client connection's pipeline when the gateway starts draining: an HTTP/1.1
 * connection closes once its exchange in flight ends, an HTTP/2 connection sends GOAWAY and closes
 * once its open streams end.
 */
public enum DrainEvent {
  INSTANCE
}
