package dev.portcullis.proxy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mock Confluence REST API v1 under {@code /wiki/rest/api}, with Confluence's JSON shapes and
 * {@code {"statusCode","message"}} error bodies:
 *
 * <ul>
 *   <li>{@code GET /wiki/rest/api/content/{id}} ({@code space} and {@code version} always, {@code
 *       body.storage} when {@code expand} asks), {@code PUT} of the same (needs the next version
 *       number, else 409), {@code POST /wiki/rest/api/content} (200 with the page)
 *   <li>{@code GET /wiki/rest/api/content?spaceKey=&title=&start=&limit=}
 *   <li>{@code GET /wiki/rest/api/space}, {@code GET /wiki/rest/api/space/{key}}
 * </ul>
 *
 * Pages live in memory, seeded in space DEMO from id 65537; a page is an immutable record and an
 * update swaps in a new one.
 */
public final class MockConfluence extends MockAtlassianServer {
  private static final String API = "/wiki/rest/api";
  private static final Pattern CONTENT = Pattern.compile(API + "/content/(\\d{1,18})");
  private static final Pattern SPACE = Pattern.compile(API + "/space/([A-Za-z0-9~]+)");
  private static final String SPACE_KEY = "DEMO";
  private static final long SPACE_ID = 98305;
  private static final int DEFAULT_LIMIT = 25;

  private record Page(long id, String title, String storage, int version, Instant when) {}

  private final Map<Long, Page> pages = new ConcurrentSkipListMap<>();
  private final AtomicLong nextId = new AtomicLong(65537);
  private final Clock clock;

  private MockConfluence(Clock clock) {
    super("confluence");
    this.clock = clock;
    store(
        "Welcome to the demo space",
        "<p>Portcullis stands in front of this Confluence. Every request you see here came"
            + " through the gateway.</p>");
    store(
        "Runbook: rotating API keys",
        "<h2>Steps</h2><ol><li>Create the new key.</li><li>Deploy it.</li>"
            + "<li>Revoke the old one.</li></ol>");
    store("Meeting notes 2026-01-15", "<p>Agreed: the gateway signs its own identity token.</p>");
  }

  /** Starts a mock Confluence on a free loopback port. */
  public static MockConfluence start() throws InterruptedException {
    MockConfluence confluence = new MockConfluence(Clock.systemUTC());
    confluence.bind();
    return confluence;
  }

  private Page store(String title, String storage) {
    Page page = new Page(nextId.getAndIncrement(), title, storage, 1, now());
    pages.put(page.id(), page);
    return page;
  }

  // Confluence reports times to the millisecond.
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  @Override
  protected MockResponse handle(Request request) throws BadRequest {
    String path = stripTrailingSlash(request.path());
    String method = request.method();
    Matcher content = CONTENT.matcher(path);
    if (content.matches()) {
      long id = Long.parseLong(content.group(1));
      return switch (method) {
        case "GET" -> getPage(id, request.param("expand", ""));
        case "PUT" -> updatePage(id, request.body());
        default -> notAllowed("GET, PUT");
      };
    }
    if (path.equals(API + "/content")) {
      return switch (method) {
        case "GET" -> listPages(request);
        case "POST" -> createPage(request.body());
        default -> notAllowed("GET, POST");
      };
    }
    if (path.equals(API + "/user/current") && method.equals("GET")) {
      return ok(currentUser(request.tokenClaims()));
    }
    if (path.equals(API + "/space") && method.equals("GET")) {
      return listSpaces(request);
    }
    Matcher space = SPACE.matcher(path);
    if (space.matches() && method.equals("GET")) {
      return space.group(1).equals(SPACE_KEY)
          ? ok(space())
          : confluenceError(
              HttpResponseStatus.NOT_FOUND, "No space with key : " + space.group(1), "Not Found");
    }
    return confluenceError(
        HttpResponseStatus.NOT_FOUND,
        "Could not find resource for " + method + " " + request.path(),
        "Not Found");
  }

  private static String stripTrailingSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private MockResponse getPage(long id, String expand) {
    Page page = pages.get(id);
    if (page == null) {
      return noSuchContent(id);
    }
    return ok(render(page, expand));
  }

  private MockResponse createPage(JsonNode body) {
    if (body == null || !body.isObject()) {
      return badRequest("Content body cannot be null");
    }
    String type = body.path("type").asText("page");
    if (!type.equals("page")) {
      return badRequest("The mock only creates content of type page, not: " + type);
    }
    JsonNode title = body.path("title");
    if (!title.isTextual() || title.asText().isBlank()) {
      return badRequest("Title is required to create content");
    }
    JsonNode spaceKey = body.path("space").path("key");
    if (!spaceKey.isTextual() || spaceKey.asText().isBlank()) {
      return badRequest("Could not create content: space is required");
    }
    if (!spaceKey.asText().equals(SPACE_KEY)) {
      return badRequest("No space with key : " + spaceKey.asText());
    }
    if (findByTitle(title.asText()) != null) {
      return badRequest(
          "A page with this title already exists: A page already exists with the same TITLE in"
              + " this space");
    }
    String storage = body.path("body").path("storage").path("value").asText("");
    return ok(render(store(title.asText(), storage), "body.storage"));
  }

  private MockResponse updatePage(long id, JsonNode body) {
    Page current = pages.get(id);
    if (current == null) {
      return noSuchContent(id);
    }
    if (body == null || !body.path("version").path("number").canConvertToInt()) {
      return badRequest("Must supply an incremented version when updating Content.");
    }
    int version = body.path("version").path("number").asInt();
    if (version != current.version() + 1) {
      return confluenceError(
          HttpResponseStatus.CONFLICT,
          "Version must be incremented on update. Current version is: " + current.version(),
          "Conflict");
    }
    String title = body.path("title").asText(current.title());
    String storage = body.path("body").path("storage").path("value").asText(current.storage());
    Page updated = new Page(id, title, storage, version, now());
    // A concurrent update of the same page loses, as in Confluence: the version no longer fits.
    if (!pages.replace(id, current, updated)) {
      return confluenceError(
          HttpResponseStatus.CONFLICT,
          "Version must be incremented on update. Current version is: " + pages.get(id).version(),
          "Conflict");
    }
    return ok(render(updated, "body.storage"));
  }

  private Page findByTitle(String title) {
    for (Page page : pages.values()) {
      if (page.title().equals(title)) {
        return page;
      }
    }
    return null;
  }

  private MockResponse listPages(Request request) throws BadRequest {
    String spaceKey = request.param("spaceKey", SPACE_KEY);
    String title = request.param("title", null);
    int start = Math.max(0, request.intParam("start", 0));
    int limit = Math.max(0, Math.min(100, request.intParam("limit", DEFAULT_LIMIT)));
    List<Page> matches = new ArrayList<>();
    if (spaceKey.equals(SPACE_KEY)) {
      for (Page page : pages.values()) {
        if (title == null || page.title().equals(title)) {
          matches.add(page);
        }
      }
    }
    ArrayNode results = JSON.createArrayNode();
    for (Page page :
        matches.subList(Math.min(start, matches.size()), Math.min(matches.size(), start + limit))) {
      results.add(render(page, request.param("expand", "")));
    }
    return ok(collection(results, start, limit, API + "/content"));
  }

  private MockResponse listSpaces(Request request) throws BadRequest {
    int start = Math.max(0, request.intParam("start", 0));
    int limit = Math.max(0, Math.min(100, request.intParam("limit", DEFAULT_LIMIT)));
    ArrayNode results = JSON.createArrayNode();
    if (start == 0 && limit > 0) {
      results.add(space());
    }
    return ok(collection(results, start, limit, API + "/space"));
  }

  private ObjectNode collection(ArrayNode results, int start, int limit, String self) {
    ObjectNode list = JSON.createObjectNode();
    list.set("results", results);
    list.put("start", start).put("limit", limit).put("size", results.size());
    ObjectNode links = list.putObject("_links");
    links.put("base", base()).put("context", "/wiki").put("self", uri() + self);
    return list;
  }

  private String base() {
    return uri() + "/wiki";
  }

  private ObjectNode render(Page page, String expand) {
    ObjectNode json = JSON.createObjectNode();
    json.put("id", String.valueOf(page.id()));
    json.put("type", "page").put("status", "current").put("title", page.title());
    json.set("space", space());
    ObjectNode version = json.putObject("version");
    version.set("by", user());
    version.put("when", page.when().toString());
    version.put("number", page.version()).put("minorEdit", false);
    if (expand.contains("body.storage")) {
      json.putObject("body")
          .putObject("storage")
          .put("value", page.storage())
          .put("representation", "storage");
    }
    ObjectNode expandable = json.putObject("_expandable");
    expandable.put("childTypes", "").put("container", "/rest/api/space/" + SPACE_KEY);
    expandable.put("ancestors", "").put("children", "/rest/api/content/" + page.id() + "/child");
    if (!expand.contains("body.storage")) {
      expandable.put("body", "");
    }
    ObjectNode links = json.putObject("_links");
    links.put("webui", "/spaces/" + SPACE_KEY + "/pages/" + page.id());
    links.put("edit", "/pages/resumedraft.action?draftId=" + page.id());
    links.put("tinyui", "/x/" + Long.toString(page.id(), 36));
    links.put("self", base() + "/rest/api/content/" + page.id());
    links.put("base", base()).put("context", "/wiki");
    return json;
  }

  private ObjectNode space() {
    ObjectNode space = JSON.createObjectNode();
    space.put("id", SPACE_ID).put("key", SPACE_KEY).put("name", "Demo space");
    space.put("type", "global").put("status", "current");
    ObjectNode links = space.putObject("_links");
    links.put("webui", "/spaces/" + SPACE_KEY);
    links.put("self", base() + "/rest/api/space/" + SPACE_KEY);
    space.putObject("_expandable").put("homepage", "/rest/api/content/65537");
    return space;
  }

  private static ObjectNode user() {
    ObjectNode user = JSON.createObjectNode();
    user.put("type", "known").put("accountId", "5b10a2844c20165700ede21g");
    user.put("accountType", "atlassian").put("displayName", "Demo User");
    return user;
  }

  private static MockResponse ok(JsonNode body) {
    return new MockResponse(HttpResponseStatus.OK, body);
  }

  private static MockResponse noSuchContent(long id) {
    return confluenceError(
        HttpResponseStatus.NOT_FOUND,
        "No content found with id: ContentId{id=" + id + "}",
        "Not Found");
  }

  private static MockResponse badRequest(String message) {
    return confluenceError(HttpResponseStatus.BAD_REQUEST, message, "Bad Request");
  }

  private static MockResponse notAllowed(String allowed) {
    return confluenceError(
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "HTTP method not allowed, supported methods: " + allowed,
            "Method Not Allowed")
        .withHeader("Allow", allowed);
  }

  private static MockResponse confluenceError(
      HttpResponseStatus status, String message, String reason) {
    ObjectNode body = JSON.createObjectNode();
    body.put("statusCode", status.code());
    ObjectNode data = body.putObject("data");
    data.put("authorized", status.code() != 403).put("valid", status.code() != 400);
    data.putArray("errors");
    data.put("successful", false);
    body.put("message", message);
    body.put("reason", reason);
    return new MockResponse(status, body);
  }

  private static ObjectNode currentUser(ObjectNode tokenClaims) {
    String subject =
        tokenClaims != null && tokenClaims.hasNonNull("sub")
            ? tokenClaims.get("sub").asText()
            : "demo-user";
    ObjectNode user = JSON.createObjectNode();
    user.put("type", "known").put("accountId", subject).put("accountType", "atlassian");
    user.put("displayName", subject).put("publicName", subject);
    return user;
  }

  @Override
  protected MockResponse error(HttpResponseStatus status, String message) {
    return confluenceError(status, message, status.reasonPhrase());
  }

  @Override
  protected void decorate(HttpHeaders headers) {
    headers.set("X-Confluence-Request-Time", String.valueOf(clock.millis()));
  }
}
