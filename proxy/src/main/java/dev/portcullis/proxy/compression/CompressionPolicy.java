package dev.portcullis.proxy.compression;

import dev.portcullis.core.config.CompressionConfig;
import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.CompressionOptions;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which responses are compressed, and with what: built once from {@link CompressionConfig} when the
 * listener starts, then shared by every connection's {@link ResponseCompressionHandler}. Immutable,
 * so any thread may use it; nothing it does per response allocates.
 *
 * <p>Brotli needs brotli4j's native library; where it does not load, {@code br} is dropped from the
 * offered codings (logged once) and the others still work.
 */
public final class CompressionPolicy {
  private static final Logger log = LoggerFactory.getLogger(CompressionPolicy.class);

  private final int minSizeBytes;
  private final MediaTypes types;
  private final AcceptEncoding negotiation;
  private final CompressionOptions[] options;

  public CompressionPolicy(CompressionConfig config) {
    this.minSizeBytes = config.minSizeBytes();
    this.types = new MediaTypes(config.contentTypes());
    List<String> offered = new ArrayList<>();
    List<CompressionOptions> opts = new ArrayList<>();
    for (String algorithm : config.algorithms()) {
      switch (algorithm) {
        case "br" -> {
          if (Brotli.isAvailable()) {
            offered.add("br");
            opts.add(
                StandardCompressionOptions.brotli(
                    config.brotliQuality(),
                    22,
                    io.netty.handler.codec.compression.BrotliMode.TEXT));
          } else {
            log.warn(
                "brotli is configured but its native library is not available ({}); offering {}",
                Brotli.cause() == null ? "unknown cause" : Brotli.cause().toString(),
                "the other codings only");
          }
        }
        case "gzip" -> {
          offered.add("gzip");
          opts.add(StandardCompressionOptions.gzip(config.gzipLevel(), 15, 8));
        }
        default -> {
          offered.add("deflate");
          opts.add(StandardCompressionOptions.deflate(config.deflateLevel(), 15, 8));
        }
      }
    }
    this.negotiation = new AcceptEncoding(offered.toArray(new String[0]));
    this.options = opts.toArray(new CompressionOptions[0]);
  }

  CompressionOptions[] options() {
    return options.clone();
  }

  /** The codings offered, in preference order (without {@code br} when it cannot load). */
  public List<String> offered() {
    return negotiation.offered();
  }

  /**
   * Whether the response may be compressed at all, whatever the client accepts: a body of a
   * compressible type, large enough or of unknown size, not encoded already, not a range, not
   * marked {@code no-transform}. (HEAD, 1xx, 204, 304 and HTTP/1.0 never reach here: Netty's
   * encoder passes them through.)
   */
  boolean eligible(HttpResponse response) {
    if (response.status().code() == 206) {
      return false;
    }
    HttpHeaders headers = response.headers();
    if (headers.contains(HttpHeaderNames.CONTENT_ENCODING)
        || headers.contains(HttpHeaderNames.CONTENT_RANGE)) {
      return false;
    }
    String cacheControl = headers.get(HttpHeaderNames.CACHE_CONTROL);
    if (cacheControl != null && containsIgnoreCase(cacheControl, "no-transform")) {
      return false;
    }
    if (!types.matches(headers.get(HttpHeaderNames.CONTENT_TYPE))) {
      return false;
    }
    if (response instanceof HttpContent full) {
      return full.content().readableBytes() >= minSizeBytes;
    }
    String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    if (length == null) {
      return true; // size unknown: compressed as it streams
    }
    try {
      return Long.parseLong(length.trim()) >= minSizeBytes;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The coding to use for a client's Accept-Encoding, or null for none. */
  String negotiate(String acceptEncoding) {
    return negotiation.choose(acceptEncoding);
  }

  static boolean containsIgnoreCase(String text, String token) {
    int last = text.length() - token.length();
    for (int i = 0; i <= last; i++) {
      if (text.regionMatches(true, i, token, 0, token.length())) {
        return true;
      }
    }
    return false;
  }
}
