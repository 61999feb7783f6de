package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads {@link AccessControlConfig} from its YAML section, reporting problems through the binder.
 */
final class AccessControlBinding {
  static final ConfigSchema SCHEMA = ConfigSchema.object();

  private AccessControlBinding() {}

  static AccessControlConfig bind(ConfigBinder binder, JsonNode node) {
    return AccessControlConfig.DEFAULTS;
  }
}
