package dev.portcullis.proxy.upstream;

/** Why a pool gave no connection. */
public enum AcquireFailure {
  CONNECT_FAILED,
  POOL_EXHAUSTED,
  WAIT_TIMEOUT
}
