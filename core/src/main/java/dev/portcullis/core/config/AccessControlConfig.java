package dev.portcullis.core.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Scopes to permissions, the permission each request needs, and brute-force blocking (YAML {@code
 * auth.access}).
 *
 * @param scopes what each scope grants; a scope not listed grants nothing
 * @param rules tried in order, the first whose methods and path match names the permission the
 *     request needs; a request no rule matches needs authentication only
 * @param bruteForce blocking of client addresses that keep presenting bad credentials
 * @param auditSuccessInterval a successful authentication is audited the first time a credential is
 *     used within this interval (per replica), so the trail shows every credential in use without a
 *     line per request; zero audits every success. Failures, denials and blocks are always audited.
 */
public record AccessControlConfig(
    Map<String, Set<String>> scopes,
    List<PermissionRule> rules,
    BruteForce bruteForce,
    Duration auditSuccessInterval) {

  /** The permission a rule names when authentication alone is enough. */
  public static final String AUTHENTICATED = "authenticated";

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*([.:][a-z][a-z0-9_]*)+");

  public static final Map<String, Set<String>> DEFAULT_SCOPES = defaultScopes();

  public static final List<PermissionRule> DEFAULT_RULES = defaultRules();

  public static final AccessControlConfig DEFAULTS =
      new AccessControlConfig(
          DEFAULT_SCOPES, DEFAULT_RULES, BruteForce.DEFAULTS, Duration.ofMinutes(1));

  public AccessControlConfig {
    Checks.notNull("auth.access.scopes", scopes);
    Checks.notNull("auth.access.rules", rules);
    Checks.notNull("auth.access.brute_force", bruteForce);
    Checks.notNull("auth.access.audit_success_interval", auditSuccessInterval);
    Checks.notNegative("auth.access.audit_success_interval", auditSuccessInterval);
    Map<String, Set<String>> copy = new LinkedHashMap<>();
    scopes.forEach(
        (scope, permissions) -> {
          if (!NAME.matcher(scope).matches()) {
            throw new IllegalArgumentException(
                "auth.access.scopes: '" + scope + "' (expected: a scope such as jira:read)");
          }
          for (String permission : permissions) {
            checkPermission("auth.access.scopes." + scope, permission);
          }
          copy.put(scope, Set.copyOf(new LinkedHashSet<>(permissions)));
        });
    scopes = java.util.Collections.unmodifiableMap(copy);
    rules = List.copyOf(rules);
  }

  static void checkPermission(String at, String permission) {
    if (permission == null
        || (!AUTHENTICATED.equals(permission) && !NAME.matcher(permission).matches())) {
      throw new IllegalArgumentException(
          at
              + ": '"
              + permission
              + "' (expected: a dotted permission such as jira.issues.view, or "
              + AUTHENTICATED
              + ")");
    }
  }

  /**
   * One rule: requests with one of {@code methods} (all when empty) on a path matching {@code path}
   * (a glob: {@code *} one segment, {@code **} any suffix) need {@code permission}.
   */
  public record PermissionRule(List<String> methods, String path, String permission) {
    public PermissionRule {
      methods = methods == null ? List.of() : List.copyOf(methods);
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException(
            "auth.access.rules.path: '" + path + "' (expected: a path glob starting with /)");
      }
      checkPermission("auth.access.rules.permission", permission);
    }

    static PermissionRule of(String methods, String path, String permission) {
      return new PermissionRule(
          methods.isEmpty() ? List.of() : List.of(methods.split(",")), path, permission);
    }
  }

  /**
   * After {@code maxFailures} refused credentials from one client address within {@code window},
   * the address is refused (429) for {@code blockTime}, doubling with each further block up to
   * {@code maxBlockTime}.
   */
  public record BruteForce(
      boolean enabled,
      int maxFailures,
      Duration window,
      Duration blockTime,
      Duration maxBlockTime) {
    public static final BruteForce DEFAULTS =
        new BruteForce(true, 10, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofHours(1));

    public BruteForce {
      Checks.positive("auth.access.brute_force.max_failures", maxFailures);
      Checks.positive("auth.access.brute_force.window", window);
      Checks.positive("auth.access.brute_force.block_time", blockTime);
      Checks.positive("auth.access.brute_force.max_block_time", maxBlockTime);
      if (maxBlockTime.compareTo(blockTime) < 0) {
        throw new IllegalArgumentException(
            "auth.access.brute_force.max_block_time: "
                + maxBlockTime
                + " (expected: at least block_time "
                + blockTime
                + ")");
      }
    }
  }

  private static Map<String, Set<String>> defaultScopes() {
    Map<String, Set<String>> scopes = new LinkedHashMap<>();
    scopes.put("jira:read", Set.of("jira.issues.view", "jira.projects.view"));
    scopes.put("jira:write", Set.of("jira.issues.create", "jira.issues.edit"));
    scopes.put("jira:admin", Set.of("jira.admin.users", "jira.admin.projects"));
    scopes.put("confluence:read", Set.of("confluence.pages.view", "confluence.spaces.view"));
    scopes.put("confluence:write", Set.of("confluence.pages.create", "confluence.pages.edit"));
    scopes.put("confluence:admin", Set.of("confluence.admin.spaces", "confluence.admin.users"));
    return java.util.Collections.unmodifiableMap(scopes);
  }

  /**
   * The Jira and Confluence REST APIs as Atlassian documents them (../shared/ATLASSIAN.md): the
   * specific resources first, then a read/write fallback per API so nothing under a known prefix is
   * reachable with authentication alone.
   */
  private static List<PermissionRule> defaultRules() {
    String read = "GET,HEAD,OPTIONS";
    String write = "POST,PUT,PATCH,DELETE";
    return List.of(
        // Jira platform
        PermissionRule.of(read, "/rest/api/*/myself", AUTHENTICATED),
        PermissionRule.of("POST", "/rest/api/*/search", "jira.issues.view"),
        PermissionRule.of("POST", "/rest/api/*/search/jql", "jira.issues.view"),
        PermissionRule.of("POST", "/rest/api/*/issue", "jira.issues.create"),
        PermissionRule.of("POST", "/rest/api/*/issue/bulk", "jira.issues.create"),
        PermissionRule.of(write, "/rest/api/*/issue/**", "jira.issues.edit"),
        PermissionRule.of(read, "/rest/api/*/project", "jira.projects.view"),
        PermissionRule.of(read, "/rest/api/*/project/**", "jira.projects.view"),
        PermissionRule.of(write, "/rest/api/*/project", "jira.admin.projects"),
        PermissionRule.of(write, "/rest/api/*/project/**", "jira.admin.projects"),
        PermissionRule.of(write, "/rest/api/*/user", "jira.admin.users"),
        PermissionRule.of(write, "/rest/api/*/user/**", "jira.admin.users"),
        PermissionRule.of(write, "/rest/api/*/group", "jira.admin.users"),
        PermissionRule.of(write, "/rest/api/*/group/**", "jira.admin.users"),
        PermissionRule.of(read, "/rest/api/**", "jira.issues.view"),
        PermissionRule.of("", "/rest/api/**", "jira.issues.edit"),
        PermissionRule.of(read, "/rest/agile/**", "jira.issues.view"),
        PermissionRule.of("", "/rest/agile/**", "jira.issues.edit"),
        PermissionRule.of(read, "/rest/servicedeskapi/**", "jira.issues.view"),
        PermissionRule.of("", "/rest/servicedeskapi/**", "jira.issues.edit"),
        // Confluence
        PermissionRule.of("POST", "/wiki/rest/api/content", "confluence.pages.create"),
        PermissionRule.of("POST", "/wiki/api/v2/pages", "confluence.pages.create"),
        PermissionRule.of(read, "/wiki/rest/api/space", "confluence.spaces.view"),
        PermissionRule.of(read, "/wiki/rest/api/space/**", "confluence.spaces.view"),
        PermissionRule.of(write, "/wiki/rest/api/space", "confluence.admin.spaces"),
        PermissionRule.of(write, "/wiki/rest/api/space/**", "confluence.admin.spaces"),
        PermissionRule.of(read, "/wiki/api/v2/spaces", "confluence.spaces.view"),
        PermissionRule.of(read, "/wiki/api/v2/spaces/**", "confluence.spaces.view"),
        PermissionRule.of(write, "/wiki/api/v2/spaces/**", "confluence.admin.spaces"),
        PermissionRule.of(write, "/wiki/rest/api/user/**", "confluence.admin.users"),
        PermissionRule.of(write, "/wiki/rest/api/group/**", "confluence.admin.users"),
        PermissionRule.of(read, "/wiki/**", "confluence.pages.view"),
        PermissionRule.of("", "/wiki/**", "confluence.pages.edit"));
  }
}
