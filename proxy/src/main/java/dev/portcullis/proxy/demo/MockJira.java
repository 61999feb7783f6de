package dev.portcullis.proxy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mock Jira Cloud REST API v3: issues (get, create, update), JQL search, the current user and
 * projects, with Jira's JSON shapes and error bodies. Issues live in memory, seeded with DEMO-1 to
 * DEMO-3, so a POST followed by a GET shows the new issue.
 */
public final class MockJira extends MockAtlassianServer {
  private static final Pattern ISSUE = Pattern.compile("/rest/api/[23]/issue/([A-Za-z0-9-]+)");
  private static final Pattern JQL_KEY =
      Pattern.compile("(?i)\\s*key\\s*=\\s*\"?([A-Z][A-Z0-9]*-\\d+)\"?\\s*");
  private static final Pattern JQL_PROJECT =
      Pattern.compile("(?i)\\s*project\\s*=\\s*\"?([A-Z][A-Z0-9]*)\"?\\s*");
  private static final DateTimeFormatter JIRA_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  private final Map<String, ObjectNode> issues = new ConcurrentSkipListMap<>(MockJira::compareKeys);
  private final AtomicInteger nextNumber = new AtomicInteger(1);
  private final AtomicInteger nextId = new AtomicInteger(10000);

  public MockJira() throws InterruptedException {
    super("jira");
    seed("Gateway returns 502 when Jira restarts", "Bug", "In Progress");
    seed("Add rate-limit headers to every response", "Story", "To Do");
    seed("Document the demo mode", "Task", "Done");
  }

  private static int compareKeys(String a, String b) {
    String[] x = a.split("-");
    String[] y = b.split("-");
    int byProject = x[0].compareTo(y[0]);
    return byProject != 0
        ? byProject
        : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
  }

  private void seed(String summary, String type, String status) {
    ObjectNode fields = JSON.createObjectNode();
    fields.put("summary", summary);
    fields.putObject("issuetype").put("name", type);
    create("DEMO", fields, status, "http://jira.demo");
  }

  private ObjectNode create(String projectKey, JsonNode given, String status, String base) {
    String key = projectKey + "-" + nextNumber.getAndIncrement();
    String id = String.valueOf(nextId.getAndIncrement());
    String now = OffsetDateTime.now(ZoneOffset.UTC).format(JIRA_TIME);
    ObjectNode issue = JSON.createObjectNode();
    issue.put(
        "expand",
        "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations");
    issue.put("id", id);
    issue.put("self", base + "/rest/api/3/issue/" + id);
    issue.put("key", key);
    ObjectNode fields = issue.putObject("fields");
    fields.put("summary", given.path("summary").asText());
    ObjectNode statusNode = fields.putObject("status");
    statusNode.put("name", status);
    statusNode
        .putObject("statusCategory")
        .put(
            "key",
            status.equals("Done") ? "done" : status.equals("To Do") ? "new" : "indeterminate");
    fields
        .putObject("issuetype")
        .put("name", given.path("issuetype").path("name").asText("Task"))
        .put("subtask", false);
    ObjectNode project = fields.putObject("project");
    project.put("id", "10000").put("key", projectKey).put("name", "Demo project");
    fields.putObject("priority").put("name", "Medium");
    fields.set("assignee", myself(base));
    fields.set("reporter", myself(base));
    fields.put("created", now);
    fields.put("updated", now);
    ObjectNode description = fields.putObject("description");
    description.put("type", "doc").put("version", 1);
    ObjectNode paragraph = description.putArray("content").addObject();
    paragraph.put("type", "paragraph");
    paragraph
        .putArray("content")
        .addObject()
        .put("type", "text")
        .put(
            "text",
            given.path("description").isTextual()
                ? given.path("description").asText()
                : summary(given));
    fields.putArray("labels");
    issues.put(key, issue);
    return issue;
  }

  private static String summary(JsonNode given) {
    return given.path("summary").asText();
  }

  private static ObjectNode myself(String base) {
    ObjectNode user = JSON.createObjectNode();
    user.put("self", base + "/rest/api/3/user?accountId=5b10a2844c20165700ede21g");
    user.put("accountId", "5b10a2844c20165700ede21g");
    user.put("accountType", "atlassian");
    user.put("emailAddress", "demo.user@example.com");
    user.put("displayName", "Demo User");
    user.put("active", true);
    user.put("timeZone", "Europe/London");
    user.put("locale", "en_GB");
    return user;
  }

  private static MockResponse error(
      HttpResponseStatus status, String message, String field, String fieldMessage) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode messages = body.putArray("errorMessages");
    if (message != null) {
      messages.add(message);
    }
    ObjectNode errors = body.putObject("errors");
    if (field != null) {
      errors.put(field, fieldMessage);
    }
    return new MockResponse(status, body);
  }

  @Override
  protected MockResponse handle(Request request) {
    String base = "http://" + (request.host() == null ? "jira.demo" : request.host());
    String path = request.path();
    Matcher issue = ISSUE.matcher(path);
    if (issue.matches()) {
      ObjectNode found = issues.get(issue.group(1).toUpperCase(java.util.Locale.ROOT));
      if (found == null) {
        return error(
            HttpResponseStatus.NOT_FOUND,
            "Issue does not exist or you do not have permission to see it.",
            null,
            null);
      }
      switch (request.method()) {
        case "GET":
          return new MockResponse(HttpResponseStatus.OK, found);
        case "PUT":
          JsonNode update = request.body() == null ? null : request.body().get("fields");
          if (update == null || !update.isObject()) {
            return error(HttpResponseStatus.BAD_REQUEST, "No fields to update.", null, null);
          }
          ObjectNode fields = (ObjectNode) found.get("fields");
          if (update.has("summary")) {
            fields.put("summary", update.get("summary").asText());
          }
          fields.put("updated", OffsetDateTime.now(ZoneOffset.UTC).format(JIRA_TIME));
          return new MockResponse(HttpResponseStatus.NO_CONTENT, null);
        case "DELETE":
          issues.remove(found.get("key").asText());
          return new MockResponse(HttpResponseStatus.NO_CONTENT, null);
        default:
          return error(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed.", null, null);
      }
    }
    if (path.matches("/rest/api/[23]/issue") && request.method().equals("POST")) {
      JsonNode fields = request.body() == null ? null : request.body().get("fields");
      if (fields == null || !fields.path("project").path("key").isTextual()) {
        return error(
            HttpResponseStatus.BAD_REQUEST, null, "project", "Specify a valid project ID or key");
      }
      if (!fields.path("summary").isTextual() || fields.path("summary").asText().isBlank()) {
        return error(
            HttpResponseStatus.BAD_REQUEST,
            null,
            "summary",
            "You must specify a summary of the issue.");
      }
      String project = fields.path("project").path("key").asText();
      if (!project.equals("DEMO")) {
        return error(
            HttpResponseStatus.BAD_REQUEST, null, "project", "Specify a valid project ID or key");
      }
      ObjectNode created = create(project, fields, "To Do", base);
      ObjectNode body = JSON.createObjectNode();
      body.put("id", created.get("id").asText());
      body.put("key", created.get("key").asText());
      body.put("self", created.get("self").asText());
      return new MockResponse(HttpResponseStatus.CREATED, body);
    }
    if (path.matches("/rest/api/[23]/search(/jql)?") && request.method().equals("GET")) {
      return search(request);
    }
    if (path.matches("/rest/api/[23]/myself")) {
      return new MockResponse(HttpResponseStatus.OK, myself(base));
    }
    if (path.matches("/rest/api/[23]/project")) {
      ArrayNode projects = JSON.createArrayNode();
      ObjectNode project = projects.addObject();
      project.put("self", base + "/rest/api/3/project/10000");
      project.put("id", "10000").put("key", "DEMO").put("name", "Demo project");
      project.put("projectTypeKey", "software").put("simplified", false).put("style", "classic");
      return new MockResponse(HttpResponseStatus.OK, projects);
    }
    return error(HttpResponseStatus.NOT_FOUND, "No resource matches " + path + ".", null, null);
  }

  private MockResponse search(Request request) {
    String jql = request.param("jql", "").trim();
    int startAt = Integer.parseInt(request.param("startAt", "0"));
    int maxResults = Math.min(100, Integer.parseInt(request.param("maxResults", "50")));
    java.util.List<ObjectNode> matches = new java.util.ArrayList<>();
    Matcher byKey = JQL_KEY.matcher(jql);
    Matcher byProject = JQL_PROJECT.matcher(jql);
    for (ObjectNode candidate : issues.values()) {
      boolean keep =
          jql.isEmpty()
              || (byKey.matches() && candidate.get("key").asText().equalsIgnoreCase(byKey.group(1)))
              || (byProject.matches()
                  && candidate
                      .at("/fields/project/key")
                      .asText()
                      .equalsIgnoreCase(byProject.group(1)));
      if (!jql.isEmpty() && !byKey.matches() && !byProject.matches()) {
        return error(
            HttpResponseStatus.BAD_REQUEST,
            "Error in the JQL Query: the mock understands 'project = X' and 'key = X-1'.",
            null,
            null);
      }
      if (keep) {
        matches.add(candidate);
      }
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("expand", "schema,names");
    body.put("startAt", startAt);
    body.put("maxResults", maxResults);
    body.put("total", matches.size());
    ArrayNode page = body.putArray("issues");
    for (int i = startAt; i < Math.min(matches.size(), startAt + maxResults); i++) {
      page.add(matches.get(i));
    }
    return new MockResponse(HttpResponseStatus.OK, body);
  }
}
