package dev.portcullis.auth.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.config.AccessControlConfig;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PermissionRulesTest {
  private final PermissionRules defaults =
      PermissionRules.compile(AccessControlConfig.DEFAULT_RULES);

  @ParameterizedTest
  @CsvSource({
    "GET, /rest/api/3/issue/ABC-1, jira.issues.view",
    "GET, /rest/api/2/search, jira.issues.view",
    "POST, /rest/api/3/search/jql, jira.issues.view",
    "POST, /rest/api/3/issue, jira.issues.create",
    "PUT, /rest/api/3/issue/ABC-1, jira.issues.edit",
    "POST, /rest/api/3/issue/ABC-1/comment, jira.issues.edit",
    "DELETE, /rest/api/3/issue/ABC-1, jira.issues.edit",
    "GET, /rest/api/3/project, jira.projects.view",
    "POST, /rest/api/3/project, jira.admin.projects",
    "POST, /rest/api/3/user, jira.admin.users",
    "DELETE, /rest/api/3/group/user, jira.admin.users",
    "GET, /rest/agile/1.0/board, jira.issues.view",
    "POST, /rest/servicedeskapi/request, jira.issues.edit",
    "GET, /wiki/rest/api/content/123, confluence.pages.view",
    "POST, /wiki/rest/api/content, confluence.pages.create",
    "PUT, /wiki/rest/api/content/123, confluence.pages.edit",
    "GET, /wiki/rest/api/space, confluence.spaces.view",
    "POST, /wiki/rest/api/space, confluence.admin.spaces",
    "DELETE, /wiki/rest/api/space/DEV, confluence.admin.spaces",
    "GET, /wiki/api/v2/pages/5, confluence.pages.view",
  })
  void theAtlassianDefaultsNameThePermissionOfEachCall(
      String method, String path, String permission) {
    assertThat(defaults.required(HttpMethod.valueOf(method), path)).isEqualTo(permission);
  }

  @Test
  void myselfNeedsAuthenticationOnlyAndUnknownPathsNothing() {
    assertThat(defaults.required(HttpMethod.GET, "/rest/api/3/myself")).isNull();
    assertThat(defaults.required(HttpMethod.GET, "/other/service")).isNull();
  }

  @Test
  void configuredRulesComeFirstAndMatchOnMethodAndPath() {
    PermissionRules rules =
        PermissionRules.compile(
            List.of(
                new AccessControlConfig.PermissionRule(
                    List.of("GET"), "/rest/api/3/field", "jira.fields.view"),
                new AccessControlConfig.PermissionRule(List.of(), "/rest/api/**", "jira.any")));
    assertThat(rules.required(HttpMethod.GET, "/rest/api/3/field")).isEqualTo("jira.fields.view");
    assertThat(rules.required(HttpMethod.PUT, "/rest/api/3/field")).isEqualTo("jira.any");
  }

  @Test
  void scopesGrantTheirPermissionsAndUnknownScopesNothing() {
    ScopePermissions scopes = new ScopePermissions(AccessControlConfig.DEFAULT_SCOPES);
    assertThat(scopes.grant(Set.of("jira:read", "confluence:write", "made:up")))
        .containsExactlyInAnyOrder(
            "jira.issues.view",
            "jira.projects.view",
            "confluence.pages.create",
            "confluence.pages.edit");
  }
}
