package dev.portcullis.proxy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mock Jira Cloud REST API v3 with Jira's JSON shapes and {@code {"errorMessages","errors"}}
 * error bodies:
 *
 * <ul>
 *   <li>{@code GET|PUT|DELETE /rest/api/3/issue/{key}}, {@code POST /rest/api/3/issue}
 *   <li>{@code GET|POST /rest/api/3/search} (classic: startAt, maxResults, total) and {@code
 *       /rest/api/3/search/jql} (enhanced: isLast, nextPageToken, no total, as Jira Cloud answers)
 *   <li>{@code GET /rest/api/3/myself}, {@code GET /rest/api/3/project[/{key}]}
 * </ul>
 *
 * JQL: clauses joined by {@code AND}, each {@code project|key|status|issuetype = value} (quoted or
 * not); an {@code ORDER BY} suffix is ignored (results are in key order); empty means all issues.
 *
 * <p>Issues live in memory, seeded with DEMO-1 to DEMO-3; an issue is an immutable record and an
 * update swaps in a new one, so readers on any thread see a whole issue.
 */
public final class MockJira extends MockAtlassianServer {
  private static final String API = "/rest/api/3";
  private static final Pattern ISSUE = Pattern.compile(API + "/issue/([A-Za-z0-9-]+)");
  private static final Pattern PROJECT = Pattern.compile(API + "/project/([A-Za-z0-9]+)");
  private static final Pattern KEY = Pattern.compile("([A-Z][A-Z0-9]*)-(\\d+)");
  private static final Pattern CLAUSE =
      Pattern.compile("(?i)\\s*(project|key|status|issuetype)\\s*=\\s*(\"[^\"]*\"|[^\\s\"]+)\\s*");
  private static final Pattern AND = Pattern.compile("(?i)\\s+AND\\s+");
  private static final Pattern ORDER_BY = Pattern.compile("(?i)\\s*ORDER\\s+BY\\s+.*$");
  private static final DateTimeFormatter JIRA_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
  private static final String ACCOUNT_ID = "5b10a2844c20165700ede21g";
  private static final String PROJECT_KEY = "DEMO";
  private static final String PROJECT_ID = "10000";
  private static final int MAX_RESULTS_LIMIT = 100;

  /** One issue as stored; rendered to JSON per request, so links use the mock's own base URI. */
  private record Issue(
      String id,
      String key,
      String summary,
      JsonNode description,
      String type,
      String status,
      String priority,
      List<String> labels,
      String created,
      String updated) {}

  private final Map<String, Issue> issues = new ConcurrentSkipListMap<>(MockJira::compareKeys);
  private final AtomicInteger nextNumber = new AtomicInteger(1);
  private final AtomicInteger nextId = new AtomicInteger(10001);
  private final Clock clock;

  private MockJira(Clock clock) {
    super("jira");
    this.clock = clock;
    seed("Gateway answers 502 while Jira restarts", "Bug", "In Progress", "High", "gateway");
    seed("Send rate-limit headers on every response", "Story", "To Do", "Medium", "rate-limit");
    seed("Document the demo mode", "Task", "Done", "Low", "docs");
  }

  /** Starts a mock Jira on a free loopback port. */
  public static MockJira start() throws InterruptedException {
    MockJira jira = new MockJira(Clock.systemUTC());
    jira.bind();
    return jira;
  }

  private static int compareKeys(String a, String b) {
    Matcher x = KEY.matcher(a);
    Matcher y = KEY.matcher(b);
    if (!x.matches() || !y.matches()) {
      return a.compareTo(b);
    }
    int byProject = x.group(1).compareTo(y.group(1));
    return byProject != 0
        ? byProject
        : Long.compare(Long.parseLong(x.group(2)), Long.parseLong(y.group(2)));
  }

  private void seed(String summary, String type, String status, String priority, String label) {
    store(summary, adf(summary + "."), type, status, priority, List.of(label));
  }

  private Issue store(
      String summary,
      JsonNode description,
      String type,
      String status,
      String priority,
      List<String> labels) {
    String now = now();
    Issue issue =
        new Issue(
            String.valueOf(nextId.getAndIncrement()),
            PROJECT_KEY + "-" + nextNumber.getAndIncrement(),
            summary,
            description,
            type,
            status,
            priority,
            List.copyOf(labels),
            now,
            now);
    issues.put(issue.key(), issue);
    return issue;
  }

  private String now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).format(JIRA_TIME);
  }

  @Override
  protected MockResponse handle(Request request) throws BadRequest {
    String path = request.path();
    String method = request.method();
    Matcher issue = ISSUE.matcher(path);
    if (issue.matches()) {
      return switch (method) {
        case "GET" -> getIssue(issue.group(1));
        case "PUT" -> updateIssue(issue.group(1), request.body());
        case "DELETE" -> deleteIssue(issue.group(1));
        default -> notAllowed("GET, PUT, DELETE");
      };
    }
    if (path.equals(API + "/issue")) {
      return method.equals("POST") ? createIssue(request.body()) : notAllowed("POST");
    }
    if (path.equals(API + "/search") || path.equals(API + "/search/jql")) {
      if (!method.equals("GET") && !method.equals("POST")) {
        return notAllowed("GET, POST");
      }
      return search(request, path.endsWith("/jql"));
    }
    if (path.equals(API + "/myself")) {
      return method.equals("GET") ? ok(myself(request.tokenClaims())) : notAllowed("GET");
    }
    if (path.equals(API + "/project")) {
      return method.equals("GET") ? ok(JSON.createArrayNode().add(project())) : notAllowed("GET");
    }
    Matcher project = PROJECT.matcher(path);
    if (project.matches() && method.equals("GET")) {
      String key = project.group(1);
      return key.equalsIgnoreCase(PROJECT_KEY) || key.equals(PROJECT_ID)
          ? ok(project())
          : jiraError(
              HttpResponseStatus.NOT_FOUND, "No project could be found with key '" + key + "'.");
    }
    return jiraError(HttpResponseStatus.NOT_FOUND, "No resource found for " + method + " " + path);
  }

  private MockResponse getIssue(String key) {
    Issue found = find(key);
    return found == null ? noSuchIssue() : ok(render(found));
  }

  private Issue find(String keyOrId) {
    Issue byKey = issues.get(keyOrId.toUpperCase(Locale.ROOT));
    if (byKey != null) {
      return byKey;
    }
    for (Issue candidate : issues.values()) {
      if (candidate.id().equals(keyOrId)) {
        return candidate;
      }
    }
    return null;
  }

  private MockResponse createIssue(JsonNode body) {
    JsonNode fields = body == null ? null : body.get("fields");
    if (fields == null || !fields.isObject()) {
      return fieldError("project", "Specify a valid project ID or key");
    }
    JsonNode projectKey = fields.path("project").path("key");
    if (!projectKey.isTextual() || !projectKey.asText().equalsIgnoreCase(PROJECT_KEY)) {
      return fieldError("project", "Specify a valid project ID or key");
    }
    if (!fields.path("summary").isTextual() || fields.path("summary").asText().isBlank()) {
      return fieldError("summary", "You must specify a summary of the issue.");
    }
    JsonNode description = fields.get("description");
    if (description != null && !description.isNull() && !isAdf(description)) {
      return fieldError(
          "description",
          "Operation value must be an Atlassian Document (see the Atlassian Document Format)");
    }
    Issue created =
        store(
            fields.get("summary").asText(),
            description == null || description.isNull() ? null : description,
            fields.path("issuetype").path("name").asText("Task"),
            "To Do",
            fields.path("priority").path("name").asText("Medium"),
            labels(fields.get("labels"), List.of()));
    ObjectNode reply = JSON.createObjectNode();
    reply.put("id", created.id()).put("key", created.key()).put("self", issueSelf(created));
    return new MockResponse(HttpResponseStatus.CREATED, reply);
  }

  private MockResponse updateIssue(String key, JsonNode body) {
    Issue current = find(key);
    if (current == null) {
      return noSuchIssue();
    }
    JsonNode fields = body == null ? null : body.get("fields");
    if (fields == null || !fields.isObject()) {
      return jiraError(HttpResponseStatus.BAD_REQUEST, "No fields to update.");
    }
    if (fields.has("summary")
        && (!fields.get("summary").isTextual() || fields.get("summary").asText().isBlank())) {
      return fieldError("summary", "You must specify a summary of the issue.");
    }
    if (fields.has("description")
        && !fields.get("description").isNull()
        && !isAdf(fields.get("description"))) {
      return fieldError(
          "description",
          "Operation value must be an Atlassian Document (see the Atlassian Document Format)");
    }
    String updated = now();
    issues.computeIfPresent(
        current.key(),
        (k, old) ->
            new Issue(
                old.id(),
                old.key(),
                fields.has("summary") ? fields.get("summary").asText() : old.summary(),
                fields.has("description")
                    ? nullIfNull(fields.get("description"))
                    : old.description(),
                old.type(),
                old.status(),
                fields.has("priority")
                    ? fields.path("priority").path("name").asText(old.priority())
                    : old.priority(),
                labels(fields.get("labels"), old.labels()),
                old.created(),
                updated));
    return new MockResponse(HttpResponseStatus.NO_CONTENT, null);
  }

  private MockResponse deleteIssue(String key) {
    Issue current = find(key);
    if (current == null) {
      return noSuchIssue();
    }
    issues.remove(current.key());
    return new MockResponse(HttpResponseStatus.NO_CONTENT, null);
  }

  private MockResponse search(Request request, boolean enhanced) throws BadRequest {
    JsonNode body = request.method().equals("POST") ? request.body() : null;
    String jql = body != null ? body.path("jql").asText("") : request.param("jql", "");
    int maxResults =
        body != null ? body.path("maxResults").asInt(50) : request.intParam("maxResults", 50);
    maxResults = Math.max(0, Math.min(MAX_RESULTS_LIMIT, maxResults));
    int startAt;
    if (enhanced) {
      String token =
          body != null ? body.path("nextPageToken").asText("") : request.param("nextPageToken", "");
      startAt = decodePageToken(token);
    } else {
      startAt = body != null ? body.path("startAt").asInt(0) : request.intParam("startAt", 0);
    }
    Predicate<Issue> filter;
    try {
      filter = compile(jql);
    } catch (BadRequest e) {
      return jiraError(HttpResponseStatus.BAD_REQUEST, e.getMessage());
    }
    List<Issue> matches = new ArrayList<>();
    for (Issue candidate : issues.values()) {
      if (filter.test(candidate)) {
        matches.add(candidate);
      }
    }
    int from = Math.max(0, Math.min(startAt, matches.size()));
    int to = Math.min(matches.size(), from + maxResults);
    ArrayNode page = JSON.createArrayNode();
    for (Issue issue : matches.subList(from, to)) {
      page.add(render(issue));
    }
    ObjectNode reply = JSON.createObjectNode();
    if (enhanced) {
      reply.set("issues", page);
      boolean last = to >= matches.size();
      if (!last) {
        reply.put("nextPageToken", encodePageToken(to));
      }
      reply.put("isLast", last);
    } else {
      reply.put("expand", "schema,names");
      reply.put("startAt", from).put("maxResults", maxResults).put("total", matches.size());
      reply.set("issues", page);
    }
    return ok(reply);
  }

  private static String encodePageToken(int offset) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("offset:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int decodePageToken(String token) throws BadRequest {
    if (token.isEmpty()) {
      return 0;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith("offset:")) {
        return Integer.parseInt(text.substring("offset:".length()));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error below
    }
    throw new BadRequest("The nextPageToken is invalid.");
  }

  /** Compiles the mock's JQL subset into a filter, rejecting anything else as Jira would. */
  private Predicate<Issue> compile(String jql) throws BadRequest {
    String query = ORDER_BY.matcher(jql.trim()).replaceFirst("").trim();
    Predicate<Issue> filter = issue -> true;
    if (query.isEmpty()) {
      return filter;
    }
    for (String clause : AND.split(query)) {
      Matcher m = CLAUSE.matcher(clause);
      if (!m.matches()) {
        throw new BadRequest(
            "Error in the JQL Query: the mock understands 'field = value' clauses joined by AND"
                + " on project, key, status and issuetype (got '"
                + clause.trim()
                + "').");
      }
      String field = m.group(1).toLowerCase(Locale.ROOT);
      String value = m.group(2).replace("\"", "");
      Predicate<Issue> test =
          switch (field) {
            case "project" -> {
              if (!value.equalsIgnoreCase(PROJECT_KEY) && !value.equals(PROJECT_ID)) {
                throw new BadRequest(
                    "The value '" + value + "' does not exist for the field 'project'.");
              }
              yield issue -> true;
            }
            case "key" -> {
              if (find(value) == null) {
                throw new BadRequest(
                    "An issue with key '" + value + "' does not exist for field 'key'.");
              }
              yield issue -> issue.key().equalsIgnoreCase(value) || issue.id().equals(value);
            }
            case "status" -> issue -> issue.status().equalsIgnoreCase(value);
            default -> issue -> issue.type().equalsIgnoreCase(value);
          };
      filter = filter.and(test);
    }
    return filter;
  }

  private String base() {
    return uri().toString();
  }

  private String issueSelf(Issue issue) {
    return base() + API + "/issue/" + issue.id();
  }

  private ObjectNode render(Issue issue) {
    ObjectNode json = JSON.createObjectNode();
    json.put(
        "expand",
        "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations");
    json.put("id", issue.id());
    json.put("self", issueSelf(issue));
    json.put("key", issue.key());
    ObjectNode fields = json.putObject("fields");
    fields.put("summary", issue.summary());
    fields.set("status", status(issue.status()));
    fields.set("issuetype", issueType(issue.type()));
    fields.set("project", projectRef());
    fields.set("priority", priority(issue.priority()));
    fields.set("assignee", user());
    fields.set("reporter", user());
    fields.put("created", issue.created());
    fields.put("updated", issue.updated());
    if (issue.description() == null) {
      fields.putNull("description");
    } else {
      fields.set("description", issue.description().deepCopy());
    }
    ArrayNode labels = fields.putArray("labels");
    issue.labels().forEach(labels::add);
    return json;
  }

  private ObjectNode status(String name) {
    ObjectNode status = JSON.createObjectNode();
    String id =
        switch (name) {
          case "In Progress" -> "3";
          case "Done" -> "10001";
          default -> "10000";
        };
    status.put("self", base() + API + "/status/" + id);
    status.put("description", "");
    status.put("name", name).put("id", id);
    ObjectNode category = status.putObject("statusCategory");
    switch (name) {
      case "Done" -> category.put("id", 3).put("key", "done").put("colorName", "green");
      case "In Progress" ->
          category.put("id", 4).put("key", "indeterminate").put("colorName", "yellow");
      default -> category.put("id", 2).put("key", "new").put("colorName", "blue-gray");
    }
    category.put("name", name.equals("In Progress") || name.equals("Done") ? name : "To Do");
    return status;
  }

  private ObjectNode issueType(String name) {
    String id =
        switch (name) {
          case "Bug" -> "10004";
          case "Story" -> "10001";
          case "Epic" -> "10000";
          default -> "10002";
        };
    ObjectNode type = JSON.createObjectNode();
    type.put("self", base() + API + "/issuetype/" + id);
    type.put("id", id).put("name", name).put("subtask", false).put("hierarchyLevel", 0);
    return type;
  }

  private ObjectNode priority(String name) {
    String id =
        switch (name) {
          case "Highest" -> "1";
          case "High" -> "2";
          case "Low" -> "4";
          case "Lowest" -> "5";
          default -> "3";
        };
    ObjectNode priority = JSON.createObjectNode();
    priority.put("self", base() + API + "/priority/" + id);
    priority.put("name", name).put("id", id);
    return priority;
  }

  private ObjectNode projectRef() {
    ObjectNode project = JSON.createObjectNode();
    project.put("self", base() + API + "/project/" + PROJECT_ID);
    project.put("id", PROJECT_ID).put("key", PROJECT_KEY).put("name", "Demo project");
    project.put("projectTypeKey", "software").put("simplified", false);
    return project;
  }

  private ObjectNode project() {
    ObjectNode project = projectRef();
    project.put("expand", "description,lead,issueTypes,url,projectKeys,permissions,insight");
    project.put("style", "classic").put("isPrivate", false);
    project.putObject("properties");
    return project;
  }

  private ObjectNode user() {
    ObjectNode user = JSON.createObjectNode();
    user.put("self", base() + API + "/user?accountId=" + ACCOUNT_ID);
    user.put("accountId", ACCOUNT_ID);
    user.put("accountType", "atlassian");
    user.put("emailAddress", "demo.user@example.com");
    user.put("displayName", "Demo User");
    user.put("active", true);
    user.put("timeZone", "Europe/London");
    return user;
  }

  /** The demo user, or with a verified identity token the token's subject, as Jira would. */
  private ObjectNode myself(ObjectNode tokenClaims) {
    ObjectNode user = user();
    if (tokenClaims != null && tokenClaims.hasNonNull("sub")) {
      String subject = tokenClaims.get("sub").asText();
      user.put("self", base() + API + "/user?accountId=" + subject);
      user.put("accountId", subject);
      user.put("displayName", subject);
      user.remove("emailAddress");
    }
    user.put("locale", "en_GB");
    user.putObject("groups").put("size", 1).putArray("items");
    user.putObject("applicationRoles").put("size", 1).putArray("items");
    return user;
  }

  private static ObjectNode adf(String text) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("type", "doc").put("version", 1);
    ObjectNode paragraph = doc.putArray("content").addObject();
    paragraph.put("type", "paragraph");
    paragraph.putArray("content").addObject().put("type", "text").put("text", text);
    return doc;
  }

  private static boolean isAdf(JsonNode node) {
    return node.isObject() && "doc".equals(node.path("type").asText());
  }

  private static JsonNode nullIfNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.deepCopy();
  }

  private static List<String> labels(JsonNode given, List<String> fallback) {
    if (given == null || !given.isArray()) {
      return fallback;
    }
    List<String> labels = new ArrayList<>();
    given.forEach(label -> labels.add(label.asText()));
    return List.copyOf(labels);
  }

  private static MockResponse ok(JsonNode body) {
    return new MockResponse(HttpResponseStatus.OK, body);
  }

  private static MockResponse noSuchIssue() {
    return jiraError(
        HttpResponseStatus.NOT_FOUND,
        "Issue does not exist or you do not have permission to see it.");
  }

  private static MockResponse notAllowed(String allowed) {
    return jiraError(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method not allowed.")
        .withHeader("Allow", allowed);
  }

  private static MockResponse fieldError(String field, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putArray("errorMessages");
    body.putObject("errors").put(field, message);
    return new MockResponse(HttpResponseStatus.BAD_REQUEST, body);
  }

  private static MockResponse jiraError(HttpResponseStatus status, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putArray("errorMessages").add(message);
    body.putObject("errors");
    return new MockResponse(status, body);
  }

  @Override
  protected MockResponse error(HttpResponseStatus status, String message) {
    return jiraError(status, message);
  }
}
