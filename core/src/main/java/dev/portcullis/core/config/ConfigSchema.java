package dev.portcullis.core.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of the YAML configuration: which keys exist where. The loader uses it to report unknown
 * keys and to map {@code PORTCULLIS_*} environment variables onto keys whose names contain
 * underscores themselves. Adding a key means adding it here and reading it in {@link ConfigBinder}.
 */
final class ConfigSchema {
  enum Kind {
    OBJECT,
    MAP,
    LIST,
    LEAF
  }

  final Kind kind;
  final Map<String, ConfigSchema> fields;
  final ConfigSchema element;

  private ConfigSchema(Kind kind, Map<String, ConfigSchema> fields, ConfigSchema element) {
    this.kind = kind;
    this.fields = fields;
    this.element = element;
  }

  static final ConfigSchema LEAF_NODE = new ConfigSchema(Kind.LEAF, Map.of(), null);

  static ConfigSchema object(Object... namesAndSchemas) {
    Map<String, ConfigSchema> fields = new LinkedHashMap<>();
    for (int i = 0; i < namesAndSchemas.length; i += 2) {
      fields.put((String) namesAndSchemas[i], (ConfigSchema) namesAndSchemas[i + 1]);
    }
    return new ConfigSchema(Kind.OBJECT, fields, null);
  }

  static ConfigSchema mapOf(ConfigSchema element) {
    return new ConfigSchema(Kind.MAP, Map.of(), element);
  }

  static ConfigSchema listOf(ConfigSchema element) {
    return new ConfigSchema(Kind.LIST, Map.of(), element);
  }

  /** A list of scalars: written as a YAML sequence, or comma-separated in an env variable. */
  static ConfigSchema scalarList() {
    return listOf(LEAF_NODE);
  }

  static final ConfigSchema ROOT =
      object(
          "server",
          object(
              "address",
              LEAF_NODE,
              "port",
              LEAF_NODE,
              "worker_threads",
              LEAF_NODE,
              "transport",
              LEAF_NODE,
              "drain_timeout",
              LEAF_NODE,
              "trusted_proxies",
              scalarList(),
              "limits",
              object(
                  "max_initial_line_bytes", LEAF_NODE,
                  "max_header_bytes", LEAF_NODE,
                  "idle_timeout", LEAF_NODE,
                  "max_headers", LEAF_NODE,
                  "max_body_bytes", LEAF_NODE,
                  "max_connections", LEAF_NODE,
                  "request_headers_timeout", LEAF_NODE,
                  "request_timeout", LEAF_NODE),
              "security",
              object(
                  "headers",
                      object(
                          "enabled", LEAF_NODE,
                          "content_security_policy", LEAF_NODE,
                          "frame_options", LEAF_NODE,
                          "referrer_policy", LEAF_NODE,
                          "strict_transport_security", LEAF_NODE),
                  "ip_allow", scalarList(),
                  "ip_deny", scalarList(),
                  "allowed_hosts", scalarList()),
              "tls",
              ProtocolsBinding.TLS,
              "http2",
              ProtocolsBinding.HTTP2,
              "compression",
              CompressionBinding.SCHEMA),
          "admin",
          object("address", LEAF_NODE, "port", LEAF_NODE),
          "access_log",
          object("enabled", LEAF_NODE, "destination", LEAF_NODE, "path", LEAF_NODE),
          "audit_log",
          object("destination", LEAF_NODE, "path", LEAF_NODE, "spool_path", LEAF_NODE),
          "auth",
          object(
              "api_keys", ApiKeysBinding.SCHEMA,
              "jwt", JwtBinding.SCHEMA,
              "access", AccessControlBinding.SCHEMA),
          "cache",
          CacheBinding.SCHEMA,
          "upstreams",
          mapOf(
              object(
                  "targets",
                  scalarList(),
                  "connect_timeout",
                  LEAF_NODE,
                  "response_timeout",
                  LEAF_NODE,
                  "max_connections_per_target",
                  LEAF_NODE,
                  "max_pending_requests",
                  LEAF_NODE,
                  "idle_timeout",
                  LEAF_NODE,
                  "load_balancing",
                  LEAF_NODE,
                  "preserve_host",
                  LEAF_NODE,
                  "request_headers",
                  mapOf(LEAF_NODE),
                  "circuit_breaker",
                  ResilienceBinding.CIRCUIT_BREAKER,
                  "health_check",
                  ResilienceBinding.HEALTH_CHECK,
                  "outlier_detection",
                  ResilienceBinding.OUTLIER_DETECTION,
                  "retry",
                  ResilienceBinding.RETRY,
                  "tls",
                  ProtocolsBinding.UPSTREAM_TLS)),
          "rate_limits",
          object(
              "redis",
                  object(
                      "uri", LEAF_NODE,
                      "timeout", LEAF_NODE,
                      "fail_mode", LEAF_NODE,
                      "breaker_failures", LEAF_NODE,
                      "breaker_open_for", LEAF_NODE),
              "key_type_defaults", mapOf(LEAF_NODE),
              "policies",
                  listOf(
                      object(
                          "name", LEAF_NODE,
                          "key", LEAF_NODE,
                          "algorithm", LEAF_NODE,
                          "limit", LEAF_NODE,
                          "burst", LEAF_NODE,
                          "scope", LEAF_NODE,
                          "routes", scalarList(),
                          "methods", scalarList()))),
          "routes",
          listOf(
              object(
                  "name", LEAF_NODE,
                  "match",
                      object(
                          "path", LEAF_NODE,
                          "path_prefix", LEAF_NODE,
                          "host", LEAF_NODE,
                          "methods", scalarList()),
                  "upstream", LEAF_NODE,
                  "strip_prefix", LEAF_NODE,
                  "add_prefix", LEAF_NODE,
                  "response_timeout", LEAF_NODE,
                  "access_log", LEAF_NODE,
                  "auth", object("methods", scalarList(), "anonymous", LEAF_NODE),
                  "limits", object("max_body_bytes", LEAF_NODE, "request_timeout", LEAF_NODE),
                  "ip_allow", scalarList(),
                  "ip_deny", scalarList())));
}
