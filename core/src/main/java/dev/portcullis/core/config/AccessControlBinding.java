package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@link AccessControlConfig} from {@code auth.access}. Configured scopes replace the default
 * entry of the same scope and add new ones; configured rules are tried before the built-in
 * Atlassian rules, which {@code default_rules: false} switches off.
 */
final class AccessControlBinding {
  static final ConfigSchema SCHEMA =
      ConfigSchema.object(
          "scopes", ConfigSchema.mapOf(ConfigSchema.scalarList()),
          "default_rules", ConfigSchema.LEAF_NODE,
          "audit_success_interval", ConfigSchema.LEAF_NODE,
          "rules",
              ConfigSchema.listOf(
                  ConfigSchema.object(
                      "methods", ConfigSchema.scalarList(),
                      "path", ConfigSchema.LEAF_NODE,
                      "permission", ConfigSchema.LEAF_NODE)),
          "brute_force",
              ConfigSchema.object(
                  "enabled", ConfigSchema.LEAF_NODE,
                  "max_failures", ConfigSchema.LEAF_NODE,
                  "window", ConfigSchema.LEAF_NODE,
                  "block_time", ConfigSchema.LEAF_NODE,
                  "max_block_time", ConfigSchema.LEAF_NODE));

  private static final String AT = "auth.access";

  private AccessControlBinding() {}

  static AccessControlConfig bind(ConfigBinder binder, JsonNode node) {
    AccessControlConfig d = AccessControlConfig.DEFAULTS;
    int before = binder.problems.count();
    Map<String, Set<String>> scopes = scopes(binder, node.get("scopes"));
    List<AccessControlConfig.PermissionRule> rules = rules(binder, node.get("rules"));
    if (binder.bool(node, AT + ".default_rules", "default_rules", true)) {
      rules.addAll(AccessControlConfig.DEFAULT_RULES);
    }
    AccessControlConfig.BruteForce bruteForce =
        bruteForce(binder, binder.section(node, "brute_force"));
    Duration auditSuccesses =
        binder.duration(
            node,
            AT + ".audit_success_interval",
            "audit_success_interval",
            d.auditSuccessInterval(),
            true);
    if (binder.problems.count() > before) {
      return d;
    }
    AccessControlConfig built =
        binder.build(AT, () -> new AccessControlConfig(scopes, rules, bruteForce, auditSuccesses));
    return built == null ? d : built;
  }

  private static Map<String, Set<String>> scopes(ConfigBinder binder, JsonNode node) {
    Map<String, Set<String>> scopes = new LinkedHashMap<>(AccessControlConfig.DEFAULT_SCOPES);
    if (node == null || node.isNull()) {
      return scopes;
    }
    if (!node.isObject()) {
      binder.problems.add(
          AT + ".scopes",
          ConfigBinder.kindOf(node) + " (expected: a mapping of scope to permissions)");
      return scopes;
    }
    node.fieldNames()
        .forEachRemaining(
            scope -> {
              String at = AT + ".scopes." + scope;
              List<String> permissions = binder.strings(node, at, scope);
              for (String permission : permissions) {
                try {
                  AccessControlConfig.checkPermission(at, permission);
                } catch (IllegalArgumentException e) {
                  binder.problems.add(at, e.getMessage().substring(at.length() + 2));
                }
              }
              scopes.put(scope, new LinkedHashSet<>(permissions));
            });
    return scopes;
  }

  private static List<AccessControlConfig.PermissionRule> rules(
      ConfigBinder binder, JsonNode node) {
    List<AccessControlConfig.PermissionRule> rules = new ArrayList<>();
    if (node == null || node.isNull()) {
      return rules;
    }
    if (!node.isArray()) {
      binder.problems.add(
          AT + ".rules", ConfigBinder.kindOf(node) + " (expected: a list of rules)");
      return rules;
    }
    for (int i = 0; i < node.size(); i++) {
      String at = AT + ".rules[" + i + "]";
      JsonNode rule = node.get(i);
      if (!rule.isObject()) {
        binder.problems.add(
            at, ConfigBinder.kindOf(rule) + " (expected: a mapping with path and permission)");
        continue;
      }
      List<String> methods = binder.strings(rule, at + ".methods", "methods");
      List<String> upper = new ArrayList<>();
      for (String method : methods) {
        upper.add(method.toUpperCase(Locale.ROOT));
      }
      String path = binder.required(rule, at, "path");
      String permission = binder.required(rule, at, "permission");
      if (path == null || permission == null) {
        continue;
      }
      AccessControlConfig.PermissionRule built =
          binder.build(
              at, () -> new AccessControlConfig.PermissionRule(upper, path.trim(), permission));
      if (built != null) {
        rules.add(built);
      }
    }
    return rules;
  }

  private static AccessControlConfig.BruteForce bruteForce(ConfigBinder binder, JsonNode node) {
    AccessControlConfig.BruteForce d = AccessControlConfig.BruteForce.DEFAULTS;
    String at = AT + ".brute_force";
    boolean enabled = binder.bool(node, at + ".enabled", "enabled", d.enabled());
    int maxFailures =
        binder.integer(node, at + ".max_failures", "max_failures", d.maxFailures(), 1, 1_000_000);
    Duration window = binder.duration(node, at + ".window", "window", d.window(), false);
    Duration block = binder.duration(node, at + ".block_time", "block_time", d.blockTime(), false);
    Duration maxBlock =
        binder.duration(node, at + ".max_block_time", "max_block_time", d.maxBlockTime(), false);
    AccessControlConfig.BruteForce built =
        binder.build(
            at,
            () ->
                new AccessControlConfig.BruteForce(enabled, maxFailures, window, block, maxBlock));
    return built == null ? d : built;
  }
}
