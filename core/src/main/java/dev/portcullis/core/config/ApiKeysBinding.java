package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads {@link ApiKeysConfig} from its YAML section, reporting problems through the binder. */
final class ApiKeysBinding {
  static final ConfigSchema SCHEMA = ConfigSchema.object();

  private ApiKeysBinding() {}

  static ApiKeysConfig bind(ConfigBinder binder, JsonNode node) {
    return ApiKeysConfig.DEFAULTS;
  }
}
