package dev.portcullis.core.config;

import java.util.List;
import java.util.Locale;

/**
 * Response compression on the downstream listener.
 *
 * @param enabled whether responses are compressed at all
 * @param minSizeBytes responses whose Content-Length is below this stay as they are; a response
 *     without Content-Length is compressed as it streams
 * @param contentTypes media types worth compressing: {@code type/subtype}, {@code type/*} or {@code
 *     type/*+suffix} ({@code *} as the type matches any)
 * @param algorithms content codings offered, in the gateway's order of preference when the client
 *     weighs several equally: {@code br}, {@code gzip}, {@code deflate}
 * @param gzipLevel 1 (fastest) to 9 (smallest)
 * @param deflateLevel 1 (fastest) to 9 (smallest)
 * @param brotliQuality 0 (fastest) to 11 (smallest); on-the-fly compression wants 4 or so
 */
public record CompressionConfig(
    boolean enabled,
    int minSizeBytes,
    List<String> contentTypes,
    List<String> algorithms,
    int gzipLevel,
    int deflateLevel,
    int brotliQuality) {

  public static final List<String> ALGORITHMS = List.of("br", "gzip", "deflate");

  public static final CompressionConfig DEFAULTS =
      new CompressionConfig(
          true,
          1024,
          List.of(
              "text/*",
              "application/json",
              "application/javascript",
              "application/xml",
              "*/*+json",
              "*/*+xml",
              "image/svg+xml"),
          List.of("br", "gzip"),
          6,
          6,
          4);

  public CompressionConfig {
    Checks.notNegative("server.compression.min_size", minSizeBytes);
    contentTypes = contentTypes.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).toList();
    for (String type : contentTypes) {
      if (!isMediaPattern(type)) {
        throw new IllegalArgumentException(
            "server.compression.content_types: '"
                + type
                + "' (expected: a media type such as text/*, application/json or */*+json)");
      }
    }
    algorithms = List.copyOf(algorithms);
    for (String algorithm : algorithms) {
      if (!ALGORITHMS.contains(algorithm)) {
        throw new IllegalArgumentException(
            "server.compression.algorithms: '" + algorithm + "' (expected: br, gzip or deflate)");
      }
    }
    range("server.compression.levels.gzip", gzipLevel, 1, 9);
    range("server.compression.levels.deflate", deflateLevel, 1, 9);
    range("server.compression.levels.br", brotliQuality, 0, 11);
  }

  /** {@code type/subtype}, {@code type/*} or {@code type/*+suffix}, {@code *} as any type. */
  static boolean isMediaPattern(String text) {
    return text.trim()
        .toLowerCase(Locale.ROOT)
        .matches("(\\*|[a-z0-9!#$&^_.+-]+)/(\\*|\\*\\+[a-z0-9!#$&^_.+-]+|[a-z0-9!#$&^_.+-]+)");
  }

  private static void range(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + ": " + value + " (expected: " + min + ".." + max + ")");
    }
  }
}
