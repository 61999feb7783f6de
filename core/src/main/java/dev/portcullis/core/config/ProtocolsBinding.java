package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Reads the protocol sections ({@code server.tls}, {@code server.http2}, {@code
 * upstreams.<name>.tls}), reporting problems through the binder.
 */
final class ProtocolsBinding {
  static final ConfigSchema TLS =
      ConfigSchema.object(
          "cert_file", ConfigSchema.LEAF_NODE,
          "key_file", ConfigSchema.LEAF_NODE,
          "client_ca_file", ConfigSchema.LEAF_NODE,
          "client_auth", ConfigSchema.LEAF_NODE,
          "protocols", ConfigSchema.scalarList(),
          "session_timeout", ConfigSchema.LEAF_NODE,
          "session_cache_size", ConfigSchema.LEAF_NODE,
          "reload_interval", ConfigSchema.LEAF_NODE);

  static final ConfigSchema HTTP2 =
      ConfigSchema.object(
          "enabled", ConfigSchema.LEAF_NODE,
          "h2c", ConfigSchema.LEAF_NODE,
          "max_concurrent_streams", ConfigSchema.LEAF_NODE,
          "initial_window_size", ConfigSchema.LEAF_NODE);

  static final ConfigSchema UPSTREAM_TLS =
      ConfigSchema.object(
          "ca_file", ConfigSchema.LEAF_NODE, "insecure_skip_verify", ConfigSchema.LEAF_NODE);

  private ProtocolsBinding() {}

  /** The mapping under {@code key}, empty when absent; anything else is a problem at {@code at}. */
  static JsonNode section(ConfigBinder binder, JsonNode parent, String key, String at) {
    JsonNode node = parent.get(key);
    if (node != null && !node.isNull() && !node.isObject()) {
      binder.problems.add(at, ConfigBinder.kindOf(node) + " (expected: a mapping)");
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    return node == null || node.isNull()
        ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
        : node;
  }

  static ServerTlsConfig serverTls(ConfigBinder binder, JsonNode node) {
    ServerTlsConfig d = ServerTlsConfig.DISABLED;
    String at = "server.tls.";
    Path cert = binder.filePath(node, at + "cert_file", "cert_file");
    Path key = binder.filePath(node, at + "key_file", "key_file");
    Path clientCa = binder.filePath(node, at + "client_ca_file", "client_ca_file");
    ServerTlsConfig.ClientAuth clientAuth = d.clientAuth();
    String authText = binder.string(node, at + "client_auth", "client_auth", null);
    if (authText != null) {
      try {
        clientAuth = ServerTlsConfig.ClientAuth.valueOf(authText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        binder.problems.add(
            at + "client_auth", "'" + authText + "' (expected: none, optional or required)");
      }
    }
    List<String> protocols =
        node.has("protocols") ? binder.strings(node, at + "protocols", "protocols") : d.protocols();
    Duration sessionTimeout =
        binder.duration(node, at + "session_timeout", "session_timeout", d.sessionTimeout(), false);
    int cacheSize =
        binder.integer(
            node,
            at + "session_cache_size",
            "session_cache_size",
            d.sessionCacheSize(),
            0,
            10_000_000);
    Duration reload =
        binder.duration(node, at + "reload_interval", "reload_interval", d.reloadInterval(), true);
    ServerTlsConfig.ClientAuth finalAuth = clientAuth;
    ServerTlsConfig built =
        binder.build(
            "", // the record's message names its key already
            () ->
                new ServerTlsConfig(
                    cert, key, clientCa, finalAuth, protocols, sessionTimeout, cacheSize, reload));
    return built == null ? d : built;
  }

  static Http2Config http2(ConfigBinder binder, JsonNode node) {
    Http2Config d = Http2Config.DEFAULTS;
    String at = "server.http2.";
    boolean enabled = binder.bool(node, at + "enabled", "enabled", d.enabled());
    boolean h2c = binder.bool(node, at + "h2c", "h2c", d.h2c());
    int streams =
        binder.integer(
            node,
            at + "max_concurrent_streams",
            "max_concurrent_streams",
            d.maxConcurrentStreams(),
            1,
            1_000_000);
    int window =
        binder.size(node, at + "initial_window_size", "initial_window_size", d.initialWindowSize());
    Http2Config built = binder.build("", () -> new Http2Config(enabled, h2c, streams, window));
    return built == null ? d : built;
  }

  static UpstreamTlsConfig upstreamTls(ConfigBinder binder, JsonNode node, String upstreamAt) {
    String at = upstreamAt + ".tls.";
    Path ca = binder.filePath(node, at + "ca_file", "ca_file");
    boolean insecure =
        binder.bool(node, at + "insecure_skip_verify", "insecure_skip_verify", false);
    if (ca == null && !insecure) {
      return UpstreamTlsConfig.DEFAULTS;
    }
    return new UpstreamTlsConfig(ca, insecure);
  }
}
