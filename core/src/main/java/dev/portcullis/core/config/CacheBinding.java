package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Reads {@link CacheConfig} from its YAML section, reporting problems through the binder. */
final class CacheBinding {
  static final ConfigSchema SCHEMA = ConfigSchema.object();

  private CacheBinding() {}

  static CacheConfig bind(ConfigBinder binder, JsonNode node, List<RouteConfig> routes) {
    return CacheConfig.DEFAULTS;
  }
}
