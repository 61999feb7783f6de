package dev.portcullis.proxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MockJiraTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockJira jira;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    jira = MockJira.start();
  }

  @AfterAll
  static void stop() {
    jira.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder at(String path) {
    return HttpRequest.newBuilder(URI.create(jira.uri() + path));
  }

  private HttpResponse<String> post(String path, String json) throws Exception {
    return send(
        at(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  private static String jql(String query) {
    return URLEncoder.encode(query, StandardCharsets.UTF_8);
  }

  @Test
  void anIssueHasJirasShapeAndHeaders() throws Exception {
    HttpResponse<String> response = send(at("/rest/api/3/issue/DEMO-1"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("application/json;charset=UTF-8");
    assertThat(response.headers().firstValue("cache-control"))
        .hasValue("no-cache, no-store, no-transform");
    assertThat(response.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("x-arequestid")).isPresent();
    JsonNode issue = json(response);
    assertThat(issue.get("key").asText()).isEqualTo("DEMO-1");
    assertThat(issue.get("id").asText()).matches("\\d+");
    assertThat(issue.get("self").asText())
        .isEqualTo(jira.uri() + "/rest/api/3/issue/" + issue.get("id").asText());
    JsonNode fields = issue.get("fields");
    assertThat(fields.get("summary").asText()).isNotBlank();
    assertThat(fields.at("/status/name").asText()).isEqualTo("In Progress");
    assertThat(fields.at("/status/statusCategory/key").asText()).isEqualTo("indeterminate");
    assertThat(fields.at("/issuetype/name").asText()).isEqualTo("Bug");
    assertThat(fields.at("/project/key").asText()).isEqualTo("DEMO");
    assertThat(fields.at("/project/id").asText()).isEqualTo("10000");
    assertThat(fields.at("/project/name").asText()).isNotBlank();
    assertThat(fields.at("/priority/name").asText()).isEqualTo("High");
    assertThat(fields.at("/assignee/accountId").asText()).isNotBlank();
    assertThat(fields.at("/reporter/displayName").asText()).isEqualTo("Demo User");
    assertThat(fields.get("created").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");
    assertThat(fields.get("updated").asText()).isNotBlank();
    assertThat(fields.at("/description/type").asText()).isEqualTo("doc");
    assertThat(fields.at("/description/content/0/content/0/type").asText()).isEqualTo("text");
    assertThat(fields.get("labels").isArray()).isTrue();
  }

  @Test
  void aCreatedIssueCanBeReadBackUpdatedAndFound() throws Exception {
    HttpResponse<String> created =
        post(
            "/rest/api/3/issue",
            "{\"fields\":{\"project\":{\"key\":\"DEMO\"},\"summary\":\"Made in a test\","
                + "\"issuetype\":{\"name\":\"Story\"},\"labels\":[\"test\"]}}");
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode reply = json(created);
    String key = reply.get("key").asText();
    assertThat(key).matches("DEMO-\\d+");
    assertThat(reply.get("self").asText())
        .endsWith("/rest/api/3/issue/" + reply.get("id").asText());

    JsonNode issue = json(send(at("/rest/api/3/issue/" + key)));
    assertThat(issue.at("/fields/summary").asText()).isEqualTo("Made in a test");
    assertThat(issue.at("/fields/issuetype/name").asText()).isEqualTo("Story");
    assertThat(issue.at("/fields/status/name").asText()).isEqualTo("To Do");
    assertThat(issue.at("/fields/labels/0").asText()).isEqualTo("test");

    HttpResponse<String> update =
        send(
            at("/rest/api/3/issue/" + key)
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"fields\":{\"summary\":\"Renamed\",\"priority\":{\"name\":\"Highest\"}}}")));
    assertThat(update.statusCode()).isEqualTo(204);
    assertThat(update.body()).isEmpty();
    JsonNode updated = json(send(at("/rest/api/3/issue/" + key)));
    assertThat(updated.at("/fields/summary").asText()).isEqualTo("Renamed");
    assertThat(updated.at("/fields/priority/name").asText()).isEqualTo("Highest");
    assertThat(updated.at("/fields/labels/0").asText()).isEqualTo("test");

    JsonNode search = json(send(at("/rest/api/3/search?jql=" + jql("key = " + key))));
    assertThat(search.get("total").asInt()).isEqualTo(1);
    assertThat(search.at("/issues/0/fields/summary").asText()).isEqualTo("Renamed");
  }

  @Test
  void creatingWithoutASummaryIsJirasFieldError() throws Exception {
    HttpResponse<String> response =
        post("/rest/api/3/issue", "{\"fields\":{\"project\":{\"key\":\"DEMO\"}}}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("application/json;charset=UTF-8");
    assertThat(json(response))
        .isEqualTo(
            JSON.readTree(
                "{\"errorMessages\":[],\"errors\":{\"summary\":\"You must specify a summary of the issue.\"}}"));
  }

  @Test
  void creatingInAnUnknownProjectOrWithoutFieldsIsRefused() throws Exception {
    HttpResponse<String> unknown =
        post(
            "/rest/api/3/issue", "{\"fields\":{\"project\":{\"key\":\"NOPE\"},\"summary\":\"x\"}}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown).at("/errors/project").asText())
        .isEqualTo("Specify a valid project ID or key");

    HttpResponse<String> notJson = post("/rest/api/3/issue", "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(json(notJson).at("/errorMessages/0").asText()).contains("not valid JSON");

    HttpResponse<String> plainDescription =
        post(
            "/rest/api/3/issue",
            "{\"fields\":{\"project\":{\"key\":\"DEMO\"},\"summary\":\"x\",\"description\":\"text\"}}");
    assertThat(plainDescription.statusCode()).isEqualTo(400);
    assertThat(json(plainDescription).at("/errors/description").asText())
        .contains("Atlassian Document");
  }

  @Test
  void anUnknownIssueOrPathIs404InJirasShape() throws Exception {
    HttpResponse<String> issue = send(at("/rest/api/3/issue/DEMO-9999"));
    assertThat(issue.statusCode()).isEqualTo(404);
    assertThat(json(issue))
        .isEqualTo(
            JSON.readTree(
                "{\"errorMessages\":[\"Issue does not exist or you do not have permission to see it.\"],\"errors\":{}}"));

    HttpResponse<String> path = send(at("/rest/api/3/nothing-here"));
    assertThat(path.statusCode()).isEqualTo(404);
    assertThat(json(path).get("errorMessages").size()).isEqualTo(1);
    assertThat(json(path).get("errors").isObject()).isTrue();

    HttpResponse<String> method =
        send(at("/rest/api/3/issue").method("PATCH", HttpRequest.BodyPublishers.noBody()));
    assertThat(method.statusCode()).isEqualTo(405);
    assertThat(method.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void searchSupportsSimpleJqlAndPaging() throws Exception {
    JsonNode all = json(send(at("/rest/api/3/search?jql=")));
    assertThat(all.get("startAt").asInt()).isZero();
    assertThat(all.get("maxResults").asInt()).isEqualTo(50);
    assertThat(all.get("total").asInt()).isGreaterThanOrEqualTo(3);
    assertThat(all.at("/issues/0/key").asText()).isEqualTo("DEMO-1");

    JsonNode project =
        json(send(at("/rest/api/3/search?jql=" + jql("project = DEMO ORDER BY key ASC"))));
    assertThat(project.get("total").asInt()).isEqualTo(all.get("total").asInt());

    JsonNode one = json(send(at("/rest/api/3/search?jql=" + jql("key = \"DEMO-2\""))));
    assertThat(one.get("total").asInt()).isEqualTo(1);
    assertThat(one.at("/issues/0/key").asText()).isEqualTo("DEMO-2");

    JsonNode done =
        json(send(at("/rest/api/3/search?jql=" + jql("project = DEMO AND status = Done"))));
    assertThat(done.at("/issues/0/key").asText()).isEqualTo("DEMO-3");

    JsonNode paged = json(send(at("/rest/api/3/search?startAt=1&maxResults=1")));
    assertThat(paged.get("startAt").asInt()).isEqualTo(1);
    assertThat(paged.get("issues").size()).isEqualTo(1);
    assertThat(paged.at("/issues/0/key").asText()).isEqualTo("DEMO-2");
  }

  @Test
  void theEnhancedSearchPagesWithATokenAndHasNoTotal() throws Exception {
    JsonNode first =
        json(send(at("/rest/api/3/search/jql?jql=" + jql("project = DEMO") + "&maxResults=2")));
    assertThat(first.get("issues").size()).isEqualTo(2);
    assertThat(first.get("isLast").asBoolean()).isFalse();
    assertThat(first.has("total")).isFalse();
    String token = first.get("nextPageToken").asText();

    JsonNode second =
        json(
            send(
                at(
                    "/rest/api/3/search/jql?jql="
                        + jql("project = DEMO")
                        + "&maxResults=2&nextPageToken="
                        + token)));
    assertThat(second.at("/issues/0/key").asText()).isEqualTo("DEMO-3");

    HttpResponse<String> posted =
        post("/rest/api/3/search/jql", "{\"jql\":\"key = DEMO-1\",\"maxResults\":10}");
    assertThat(json(posted).at("/issues/0/key").asText()).isEqualTo("DEMO-1");
    assertThat(json(posted).get("isLast").asBoolean()).isTrue();
  }

  @Test
  void badJqlIsAJira400() throws Exception {
    HttpResponse<String> unknownProject =
        send(at("/rest/api/3/search?jql=" + jql("project = NOPE")));
    assertThat(unknownProject.statusCode()).isEqualTo(400);
    assertThat(json(unknownProject).at("/errorMessages/0").asText())
        .isEqualTo("The value 'NOPE' does not exist for the field 'project'.");

    HttpResponse<String> unsupported =
        send(at("/rest/api/3/search?jql=" + jql("summary ~ gateway")));
    assertThat(unsupported.statusCode()).isEqualTo(400);
    assertThat(json(unsupported).at("/errorMessages/0").asText()).startsWith("Error in the JQL");

    HttpResponse<String> badNumber = send(at("/rest/api/3/search?startAt=x"));
    assertThat(badNumber.statusCode()).isEqualTo(400);
  }

  @Test
  void myselfAndProjects() throws Exception {
    JsonNode me = json(send(at("/rest/api/3/myself")));
    assertThat(me.get("accountId").asText()).isNotBlank();
    assertThat(me.get("displayName").asText()).isEqualTo("Demo User");
    assertThat(me.get("active").asBoolean()).isTrue();

    JsonNode projects = json(send(at("/rest/api/3/project")));
    assertThat(projects.isArray()).isTrue();
    assertThat(projects.at("/0/key").asText()).isEqualTo("DEMO");
    assertThat(json(send(at("/rest/api/3/project/DEMO"))).get("id").asText()).isEqualTo("10000");
    assertThat(send(at("/rest/api/3/project/NOPE")).statusCode()).isEqualTo(404);
  }

  @Test
  void identityHeadersAreEchoedButNeverACredential() throws Exception {
    HttpResponse<String> response =
        send(
            at("/rest/api/3/myself")
                .header("X-Request-Id", "req-42")
                .header("X-Forwarded-For", "203.0.113.7")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "jira.example.com")
                .header("Forwarded", "for=203.0.113.7;proto=https")
                .header("Via", "1.1 portcullis")
                .header("Authorization", "Basic ZGVtbzpzM2NyM3QtdG9rZW4=")
                .header("X-Unrelated", "not echoed"));

    String header = response.headers().firstValue("x-mock-identity").orElseThrow();
    assertThat(header).doesNotContain("ZGVtbzpzM2NyM3QtdG9rZW4", "s3cr3t", "not echoed");
    assertThat(JSON.readTree(header))
        .isEqualTo(
            JSON.readTree(
                "{\"x-request-id\":\"req-42\",\"x-forwarded-for\":\"203.0.113.7\","
                    + "\"x-forwarded-proto\":\"https\",\"x-forwarded-host\":\"jira.example.com\","
                    + "\"forwarded\":\"for=203.0.113.7;proto=https\",\"via\":\"1.1 portcullis\","
                    + "\"authorization\":\"Basic present\"}"));
    assertThat(header).doesNotContain(" :").doesNotContain("\n");
  }

  @Test
  void aSchemelessAuthorizationIsNotEchoedEither() throws Exception {
    String header =
        send(at("/rest/api/3/myself").header("Authorization", "rawtoken123"))
            .headers()
            .firstValue("x-mock-identity")
            .orElseThrow();
    assertThat(header).doesNotContain("rawtoken123");
    assertThat(JSON.readTree(header).get("authorization").asText()).isEqualTo("unknown present");
  }

  @Test
  void keepAliveIsHonoured() throws Exception {
    try (MockJira own = MockJira.start()) {
      HttpClient single = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> response =
            single.send(
                HttpRequest.newBuilder(URI.create(own.uri() + "/rest/api/3/issue/DEMO-1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
      }
      assertThat(own.requestsServed()).isEqualTo(5);
      assertThat(own.acceptedConnections()).isEqualTo(1);
      assertThat(own.port()).isEqualTo(own.uri().getPort());
    }
  }
}
