package dev.portcullis.core.config;

import static dev.portcullis.core.config.ConfigSchema.LEAF_NODE;
import static dev.portcullis.core.config.ConfigSchema.listOf;
import static dev.portcullis.core.config.ConfigSchema.mapOf;
import static dev.portcullis.core.config.ConfigSchema.object;
import static dev.portcullis.core.config.ConfigSchema.scalarList;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads {@link JwtConfig} from its YAML section, reporting problems through the binder. */
final class JwtBinding {
  private static final String AT = "auth.jwt";

  static final ConfigSchema SCHEMA =
      object(
          "issuers",
          listOf(
              object(
                  "issuer", LEAF_NODE,
                  "jwks_url", LEAF_NODE,
                  "shared_secret", LEAF_NODE,
                  "audience", LEAF_NODE,
                  "algorithms", scalarList(),
                  "clock_skew", LEAF_NODE,
                  "tenant_claim", LEAF_NODE)),
          "max_token_bytes",
          LEAF_NODE,
          "jwks",
          object(
              "refresh_min_interval", LEAF_NODE,
              "cache_ttl", LEAF_NODE,
              "fetch_timeout", LEAF_NODE),
          "revocation_redis_uri",
          LEAF_NODE,
          "identity_token",
          object(
              "enabled", LEAF_NODE,
              "header", LEAF_NODE,
              "issuer", LEAF_NODE,
              "ttl", LEAF_NODE,
              "signing_key", LEAF_NODE,
              "audiences", mapOf(LEAF_NODE)));

  private JwtBinding() {}

  static JwtConfig bind(ConfigBinder binder, JsonNode node) {
    JwtConfig d = JwtConfig.DEFAULTS;
    int before = binder.problems.count();
    List<JwtConfig.Issuer> issuers = issuers(binder, node.get("issuers"));
    int maxBytes = binder.size(node, AT + ".max_token_bytes", "max_token_bytes", d.maxTokenBytes());
    JwtConfig.JwksSettings jwks = jwks(binder, binder.section(node, "jwks"));
    Secret redis = null;
    JsonNode redisNode = node.get("revocation_redis_uri");
    if (redisNode != null && !redisNode.isNull()) {
      redis = binder.secret(AT + ".revocation_redis_uri", redisNode);
      if (redis != null && !redis.reveal().matches("(?s)(redis|rediss|redis-sentinel)://.+")) {
        // The URI may carry a password, so the value is not echoed.
        binder.problems.add(
            AT + ".revocation_redis_uri",
            "not a Redis URI (expected: redis://host:port, rediss://... or redis-sentinel://...)");
        redis = null;
      }
    }
    JwtConfig.IdentityToken identity =
        identityToken(binder, binder.section(node, "identity_token"));
    if (binder.problems.count() > before) {
      return d;
    }
    Secret fRedis = redis;
    JwtConfig built =
        binder.build(AT, () -> new JwtConfig(issuers, maxBytes, jwks, fRedis, identity));
    return built == null ? d : built;
  }

  private static List<JwtConfig.Issuer> issuers(ConfigBinder binder, JsonNode node) {
    List<JwtConfig.Issuer> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      binder.problems.add(
          AT + ".issuers", ConfigBinder.kindOf(node) + " (expected: a list of issuers)");
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      JwtConfig.Issuer issuer = issuer(binder, node.get(i), AT + ".issuers[" + i + "]");
      if (issuer != null) {
        out.add(issuer);
      }
    }
    return out;
  }

  private static JwtConfig.Issuer issuer(ConfigBinder binder, JsonNode node, String at) {
    if (!node.isObject()) {
      binder.problems.add(
          at, ConfigBinder.kindOf(node) + " (expected: a mapping with issuer and audience)");
      return null;
    }
    int before = binder.problems.count();
    String issuer = binder.required(node, at, "issuer");
    String audience = binder.required(node, at, "audience");
    URI jwksUrl = null;
    String urlText = binder.string(node, at + ".jwks_url", "jwks_url", null);
    if (urlText != null) {
      try {
        jwksUrl = new URI(urlText);
        if (!("http".equals(jwksUrl.getScheme()) || "https".equals(jwksUrl.getScheme()))
            || jwksUrl.getHost() == null) {
          throw new URISyntaxException(urlText, "not absolute");
        }
      } catch (URISyntaxException e) {
        binder.problems.add(
            at + ".jwks_url",
            "'"
                + urlText
                + "' (expected: an absolute https:// or http:// URL such as"
                + " https://idp.example.com/.well-known/jwks.json)");
        jwksUrl = null;
      }
    }
    Secret secret = null;
    JsonNode secretNode = node.get("shared_secret");
    if (secretNode != null && !secretNode.isNull()) {
      secret = binder.secret(at + ".shared_secret", secretNode);
    }
    boolean urlGiven = urlText != null;
    boolean secretGiven = secretNode != null && !secretNode.isNull();
    if (urlGiven && secretGiven) {
      binder.problems.add(
          at + ".shared_secret",
          "set together with jwks_url (expected: either jwks_url or shared_secret)");
    } else if (!urlGiven && !secretGiven) {
      binder.problems.add(
          at + ".jwks_url", "missing (expected: jwks_url, or shared_secret for HS256)");
    }
    List<String> algorithms = binder.strings(node, at + ".algorithms", "algorithms");
    if (node.get("algorithms") == null || node.get("algorithms").isNull()) {
      algorithms = secretGiven ? List.of("HS256") : JwtConfig.Issuer.DEFAULT_ALGORITHMS;
    }
    for (int a = 0; a < algorithms.size(); a++) {
      String algorithm = algorithms.get(a);
      String key = at + ".algorithms[" + a + "]";
      if (!JwtConfig.SUPPORTED_ALGORITHMS.contains(algorithm)) {
        binder.problems.add(
            key,
            "'"
                + algorithm
                + "' (expected: RS256, RS384, RS512, PS256, ES256 or HS256; never none)");
      } else if (algorithm.equals("HS256") && !secretGiven) {
        binder.problems.add(key, "'HS256' (expected: only for an issuer with shared_secret)");
      } else if (!algorithm.equals("HS256") && secretGiven) {
        binder.problems.add(
            key, "'" + algorithm + "' (expected: HS256, the only algorithm for shared_secret)");
      }
    }
    if (secret != null
        && secret.reveal().getBytes(StandardCharsets.UTF_8).length
            < JwtConfig.Issuer.MIN_SHARED_SECRET_BYTES) {
      binder.problems.add(
          at + ".shared_secret", "too short (expected: at least 32 bytes for HS256)");
    }
    Duration skew =
        binder.duration(
            node, at + ".clock_skew", "clock_skew", JwtConfig.Issuer.DEFAULT_CLOCK_SKEW, true);
    String tenantClaim =
        binder.string(
            node, at + ".tenant_claim", "tenant_claim", JwtConfig.Issuer.DEFAULT_TENANT_CLAIM);
    if (tenantClaim.isBlank()) {
      binder.problems.add(at + ".tenant_claim", "'' (expected: a claim name such as tenant_id)");
    }
    if (binder.problems.count() > before) {
      return null;
    }
    URI fUrl = jwksUrl;
    Secret fSecret = secret;
    List<String> fAlgorithms = algorithms;
    return binder.build(
        at,
        () ->
            new JwtConfig.Issuer(issuer, fUrl, fSecret, audience, fAlgorithms, skew, tenantClaim));
  }

  private static JwtConfig.JwksSettings jwks(ConfigBinder binder, JsonNode node) {
    JwtConfig.JwksSettings d = JwtConfig.JwksSettings.DEFAULTS;
    String at = AT + ".jwks.";
    Duration min =
        binder.duration(
            node,
            at + "refresh_min_interval",
            "refresh_min_interval",
            d.refreshMinInterval(),
            true);
    Duration ttl = binder.duration(node, at + "cache_ttl", "cache_ttl", d.cacheTtl(), false);
    Duration timeout =
        binder.duration(node, at + "fetch_timeout", "fetch_timeout", d.fetchTimeout(), false);
    JwtConfig.JwksSettings built =
        binder.build(AT + ".jwks", () -> new JwtConfig.JwksSettings(min, ttl, timeout));
    return built == null ? d : built;
  }

  private static JwtConfig.IdentityToken identityToken(ConfigBinder binder, JsonNode node) {
    JwtConfig.IdentityToken d = JwtConfig.IdentityToken.DEFAULTS;
    String at = AT + ".identity_token.";
    boolean enabled = binder.bool(node, at + "enabled", "enabled", d.enabled());
    String header = binder.string(node, at + "header", "header", d.header());
    if (!header.matches("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+")) {
      binder.problems.add(
          at + "header", "'" + header + "' (expected: a header name such as Authorization)");
    }
    String issuer = binder.string(node, at + "issuer", "issuer", d.issuer());
    if (issuer.isBlank()) {
      binder.problems.add(at + "issuer", "'' (expected: a non-empty issuer such as portcullis)");
    }
    Duration ttl = binder.duration(node, at + "ttl", "ttl", d.ttl(), false);
    Path key = binder.filePath(node, at + "signing_key", "signing_key");
    Map<String, String> audiences = new LinkedHashMap<>();
    JsonNode audNode = node.get("audiences");
    if (audNode != null && !audNode.isNull()) {
      if (!audNode.isObject()) {
        binder.problems.add(
            at + "audiences",
            ConfigBinder.kindOf(audNode) + " (expected: a mapping of upstream name to audience)");
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = audNode.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          String value =
              binder.string(audNode, at + "audiences." + entry.getKey(), entry.getKey(), null);
          if (value == null || value.isBlank()) {
            binder.problems.add(
                at + "audiences." + entry.getKey(), "'' (expected: an audience such as jira-api)");
          } else {
            audiences.put(entry.getKey(), value);
          }
        }
      }
    }
    JwtConfig.IdentityToken built =
        binder.build(
            AT + ".identity_token",
            () -> new JwtConfig.IdentityToken(enabled, header, issuer, ttl, key, audiences));
    return built == null ? d : built;
  }
}
