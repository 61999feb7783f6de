package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Reads {@link CompressionConfig} from {@code server.compression}, reporting through the binder.
 */
final class CompressionBinding {
  static final ConfigSchema SCHEMA =
      ConfigSchema.object(
          "enabled", ConfigSchema.LEAF_NODE,
          "min_size", ConfigSchema.LEAF_NODE,
          "content_types", ConfigSchema.scalarList(),
          "algorithms", ConfigSchema.scalarList(),
          "levels",
              ConfigSchema.object(
                  "gzip", ConfigSchema.LEAF_NODE,
                  "deflate", ConfigSchema.LEAF_NODE,
                  "br", ConfigSchema.LEAF_NODE));

  private static final String AT = "server.compression";

  private CompressionBinding() {}

  static CompressionConfig bind(ConfigBinder binder, JsonNode node) {
    CompressionConfig d = CompressionConfig.DEFAULTS;
    if (node == null || node.isNull()) {
      return d;
    }
    if (!node.isObject()) {
      binder.problems.add(AT, ConfigBinder.kindOf(node) + " (expected: a mapping)");
      return d;
    }
    boolean enabled = binder.bool(node, AT + ".enabled", "enabled", d.enabled());
    int minSize =
        node.hasNonNull("min_size") && node.get("min_size").asText().trim().equals("0")
            ? 0
            : binder.size(node, AT + ".min_size", "min_size", d.minSizeBytes());
    List<String> types =
        node.hasNonNull("content_types")
            ? binder.strings(node, AT + ".content_types", "content_types")
            : d.contentTypes();
    List<String> algorithms =
        node.hasNonNull("algorithms")
            ? binder.strings(node, AT + ".algorithms", "algorithms")
            : d.algorithms();
    int problemsBefore = binder.problems.count();
    for (int i = 0; i < types.size(); i++) {
      if (!CompressionConfig.isMediaPattern(types.get(i))) {
        binder.problems.add(
            AT + ".content_types[" + i + "]",
            "'"
                + types.get(i)
                + "' (expected: a media type such as text/*, application/json or */*+json)");
      }
    }
    for (int i = 0; i < algorithms.size(); i++) {
      if (!CompressionConfig.ALGORITHMS.contains(algorithms.get(i))) {
        binder.problems.add(
            AT + ".algorithms[" + i + "]",
            "'" + algorithms.get(i) + "' (expected: br, gzip or deflate)");
      }
    }
    JsonNode levels = binder.section(node, "levels");
    int gzip = binder.integer(levels, AT + ".levels.gzip", "gzip", d.gzipLevel(), 1, 9);
    int deflate = binder.integer(levels, AT + ".levels.deflate", "deflate", d.deflateLevel(), 1, 9);
    int br = binder.integer(levels, AT + ".levels.br", "br", d.brotliQuality(), 0, 11);
    if (binder.problems.count() > problemsBefore) {
      return d;
    }
    CompressionConfig built =
        binder.build(
            AT,
            () -> new CompressionConfig(enabled, minSize, types, algorithms, gzip, deflate, br));
    return built == null ? d : built;
  }
}
