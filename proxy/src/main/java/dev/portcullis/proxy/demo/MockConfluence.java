package dev.portcullis.proxy.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mock Confluence REST API v1 under {@code /wiki/rest/api}: pages (get, create) and spaces, with
 * Confluence's JSON shapes and {@code {"statusCode","message"}} error bodies. Pages live in memory.
 */
public final class MockConfluence extends MockAtlassianServer {
  private static final Pattern CONTENT = Pattern.compile("/wiki/rest/api/content/(\\d+)");

  private final Map<String, ObjectNode> pages = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(65537);

  public MockConfluence() throws InterruptedException {
    super("confluence");
    create("Welcome to the demo space", "<p>Portcullis stands in front of this Confluence.</p>");
    create(
        "Runbook: rotating API keys", "<p>Create the new key, deploy it, revoke the old one.</p>");
  }

  private ObjectNode create(String title, String storage) {
    String id = String.valueOf(nextId.getAndIncrement());
    ObjectNode page = JSON.createObjectNode();
    page.put("id", id).put("type", "page").put("status", "current").put("title", title);
    page.set("space", space());
    page.putObject("version").put("number", 1).put("minorEdit", false);
    ObjectNode storageNode =
        JSON.createObjectNode().put("value", storage).put("representation", "storage");
    page.set("_storage", storageNode);
    ObjectNode links = page.putObject("_links");
    links.put("webui", "/spaces/DEMO/pages/" + id);
    links.put("self", "/wiki/rest/api/content/" + id);
    pages.put(id, page);
    return page;
  }

  private static ObjectNode space() {
    ObjectNode space = JSON.createObjectNode();
    space
        .put("id", 98305)
        .put("key", "DEMO")
        .put("name", "Demo space")
        .put("type", "global")
        .put("status", "current");
    space.putObject("_links").put("self", "/wiki/rest/api/space/DEMO");
    return space;
  }

  private static MockResponse error(HttpResponseStatus status, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("statusCode", status.code());
    body.putObject("data").put("authorized", true).put("valid", false);
    body.put("message", message);
    return new MockResponse(status, body);
  }

  /** The stored page as a client sees it: the body only when {@code expand} asks for it. */
  private static ObjectNode render(ObjectNode stored, String expand) {
    ObjectNode page = stored.deepCopy();
    JsonNode storage = page.remove("_storage");
    if (expand.contains("body.storage")) {
      page.putObject("body").set("storage", storage);
    }
    return page;
  }

  @Override
  protected MockResponse handle(Request request) {
    Matcher content = CONTENT.matcher(request.path());
    if (content.matches() && request.method().equals("GET")) {
      ObjectNode page = pages.get(content.group(1));
      if (page == null) {
        return error(
            HttpResponseStatus.NOT_FOUND,
            "No content found with id: ContentId{id=" + content.group(1) + "}");
      }
      return new MockResponse(HttpResponseStatus.OK, render(page, request.param("expand", "")));
    }
    if (request.path().equals("/wiki/rest/api/content") && request.method().equals("POST")) {
      JsonNode body = request.body();
      if (body == null
          || !body.path("title").isTextual()
          || body.path("title").asText().isBlank()) {
        return error(HttpResponseStatus.BAD_REQUEST, "A title is required to create content");
      }
      if (!"DEMO".equals(body.path("space").path("key").asText())) {
        return error(
            HttpResponseStatus.BAD_REQUEST,
            "Could not find space with key: " + body.path("space").path("key").asText());
      }
      String storage = body.path("body").path("storage").path("value").asText("");
      return new MockResponse(
          HttpResponseStatus.OK,
          render(create(body.get("title").asText(), storage), "body.storage"));
    }
    if (request.path().equals("/wiki/rest/api/space") && request.method().equals("GET")) {
      ObjectNode list = JSON.createObjectNode();
      list.putArray("results").add(space());
      list.put("start", 0).put("limit", 25).put("size", 1);
      list.putObject("_links").put("base", "http://confluence.demo/wiki").put("context", "/wiki");
      return new MockResponse(HttpResponseStatus.OK, list);
    }
    return error(HttpResponseStatus.NOT_FOUND, "No resource matches " + request.path());
  }

  @Override
  protected void decorate(HttpHeaders headers) {
    headers.set("X-Confluence-Request-Time", String.valueOf(System.currentTimeMillis()));
  }
}
