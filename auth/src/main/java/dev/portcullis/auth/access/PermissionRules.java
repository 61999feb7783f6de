package dev.portcullis.auth.access;

import dev.portcullis.core.config.AccessControlConfig;
import dev.portcullis.core.route.PathPattern;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;

/**
 * The compiled permission rules: the first rule whose methods and path match names the permission a
 * request needs. Immutable and thread-safe; a lookup walks an array and allocates nothing for the
 * exact and prefix rules (the Atlassian defaults' {@code /rest/api/*}-style globs run a precompiled
 * regex).
 */
public final class PermissionRules {
  private final Rule[] rules;

  private PermissionRules(Rule[] rules) {
    this.rules = rules;
  }

  public static PermissionRules compile(List<AccessControlConfig.PermissionRule> configured) {
    Rule[] rules = new Rule[configured.size()];
    for (int i = 0; i < rules.length; i++) {
      AccessControlConfig.PermissionRule rule = configured.get(i);
      HttpMethod[] methods = new HttpMethod[rule.methods().size()];
      for (int m = 0; m < methods.length; m++) {
        methods[m] = HttpMethod.valueOf(rule.methods().get(m));
      }
      String permission =
          AccessControlConfig.AUTHENTICATED.equals(rule.permission()) ? null : rule.permission();
      rules[i] = new Rule(methods, PathPattern.glob(rule.path()), permission);
    }
    return new PermissionRules(rules);
  }

  /**
   * The permission this request needs, or null when authentication alone is enough (no rule
   * matched, or the matching rule says {@code authenticated}).
   */
  public String required(HttpMethod method, String normalisedPath) {
    for (Rule rule : rules) {
      if (rule.appliesTo(method) && rule.path.matches(normalisedPath)) {
        return rule.permission;
      }
    }
    return null;
  }

  private record Rule(HttpMethod[] methods, PathPattern path, String permission) {
    boolean appliesTo(HttpMethod method) {
      if (methods.length == 0) {
        return true;
      }
      for (HttpMethod candidate : methods) {
        if (candidate.equals(method)) {
          return true;
        }
      }
      return false;
    }
  }
}
