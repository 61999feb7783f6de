package dev.portcullis.proxy.tls;

import dev.portcullis.core.config.Http2Config;
import dev.portcullis.core.config.ServerTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's TLS context, rebuilt when the certificate or key files change (a cert-manager or
 * Vault renewal): a background thread hashes the files every {@code reload_interval} and, when the
 * hash moved, builds a new context and swaps it in. New connections get the new context; existing
 * ones keep the engine they were created with, so nothing is dropped. A file that does not load
 * (half written, wrong key) is logged by name and the old context stays; the next change is tried
 * again.
 *
 * <p>Threading: {@link #newHandler} runs on event loops and reads one volatile field; reloading
 * runs on this class's own thread, never on an event loop (it reads files).
 */
public final class ReloadingServerTls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReloadingServerTls.class);

  private final ServerTlsConfig config;
  private final Http2Config http2;
  private final ScheduledExecutorService reloader;
  private volatile SslContext current;
  private byte[] loadedHash;
  private byte[] failedHash;

  private ReloadingServerTls(
      ServerTlsConfig config, Http2Config http2, SslContext first, byte[] hash) {
    this.config = config;
    this.http2 = http2;
    this.current = first;
    this.loadedHash = hash;
    if (config.reloadInterval().isZero()) {
      this.reloader = null;
    } else {
      this.reloader =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "portcullis-tls-reload");
                t.setDaemon(true);
                return t;
              });
      long period = config.reloadInterval().toMillis();
      reloader.scheduleWithFixedDelay(this::checkFiles, period, period, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Loads the files now and starts watching them.
   *
   * @throws IOException when the files cannot be used at start-up (the gateway must not start)
   */
  public static ReloadingServerTls start(ServerTlsConfig config, Http2Config http2)
      throws IOException {
    byte[] hash = hashFiles(config);
    SslContext first = TlsContexts.server(config, http2);
    log.info(
        "TLS on the listener with {} ({}), certificate {}",
        TlsContexts.provider(),
        config.protocols(),
        config.certFile());
    return new ReloadingServerTls(config, http2, first, hash);
  }

  /** A TLS handler for a new connection, from the newest good context. */
  public SslHandler newHandler(ByteBufAllocator alloc) {
    return current.newHandler(alloc);
  }

  private void checkFiles() {
    byte[] hash;
    try {
      hash = hashFiles(config);
    } catch (IOException e) {
      // Mid-rotation a file may be briefly missing; the next check sees the finished state.
      log.debug("TLS files not readable now: {}", e.toString());
      return;
    }
    if (Arrays.equals(hash, loadedHash) || Arrays.equals(hash, failedHash)) {
      return;
    }
    try {
      current = TlsContexts.server(config, http2);
      loadedHash = hash;
      failedHash = null;
      log.info("TLS certificate reloaded from {}", config.certFile());
    } catch (IOException | RuntimeException e) {
      failedHash = hash;
      // The cause's message names files or formats, never key material.
      log.warn(
          "TLS certificate {} or key {} changed but cannot be used; keeping the previous one: {}",
          config.certFile(),
          config.keyFile(),
          e.getCause() == null ? e.getMessage() : e.getCause().getClass().getSimpleName());
    }
  }

  private static byte[] hashFiles(ServerTlsConfig config) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Path file : new Path[] {config.certFile(), config.keyFile(), config.clientCaFile()}) {
      if (file != null) {
        digest.update(Files.readAllBytes(file));
        digest.update((byte) 0);
      }
    }
    return digest.digest();
  }

  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}
