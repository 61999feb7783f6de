package dev.portcullis.proxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MockConfluenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockConfluence confluence;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    confluence = MockConfluence.start();
  }

  @AfterAll
  static void stop() {
    confluence.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder at(String path) {
    return HttpRequest.newBuilder(URI.create(confluence.uri() + path));
  }

  private HttpResponse<String> post(String json) throws Exception {
    return send(
        at("/wiki/rest/api/content")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  @Test
  void aPageHasConfluencesShapeAndHeaders() throws Exception {
    HttpResponse<String> response =
        send(at("/wiki/rest/api/content/65537?expand=body.storage,version"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("application/json;charset=UTF-8");
    assertThat(response.headers().firstValue("cache-control"))
        .hasValue("no-cache, no-store, no-transform");
    assertThat(response.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("x-arequestid")).isPresent();
    assertThat(response.headers().firstValue("x-confluence-request-time").orElseThrow())
        .matches("\\d+");
    JsonNode page = json(response);
    assertThat(page.get("id").asText()).isEqualTo("65537");
    assertThat(page.get("type").asText()).isEqualTo("page");
    assertThat(page.get("status").asText()).isEqualTo("current");
    assertThat(page.get("title").asText()).isNotBlank();
    assertThat(page.at("/space/key").asText()).isEqualTo("DEMO");
    assertThat(page.at("/space/name").asText()).isEqualTo("Demo space");
    assertThat(page.at("/version/number").asInt()).isEqualTo(1);
    assertThat(page.at("/body/storage/representation").asText()).isEqualTo("storage");
    assertThat(page.at("/body/storage/value").asText()).startsWith("<p>");
    assertThat(page.at("/_links/self").asText())
        .isEqualTo(confluence.uri() + "/wiki/rest/api/content/65537");
    assertThat(page.at("/_links/webui").asText()).isNotBlank();
  }

  @Test
  void theBodyIsOnlyThereWhenExpandAsksForIt() throws Exception {
    JsonNode page = json(send(at("/wiki/rest/api/content/65537")));
    assertThat(page.has("body")).isFalse();
    assertThat(page.at("/_expandable/body").isMissingNode()).isFalse();
  }

  @Test
  void aCreatedPageCanBeReadBackAndUpdated() throws Exception {
    HttpResponse<String> created =
        post(
            "{\"type\":\"page\",\"title\":\"Created in a test\",\"space\":{\"key\":\"DEMO\"},"
                + "\"body\":{\"storage\":{\"value\":\"<p>hello</p>\",\"representation\":\"storage\"}}}");
    assertThat(created.statusCode()).isEqualTo(200);
    JsonNode page = json(created);
    String id = page.get("id").asText();
    assertThat(page.at("/body/storage/value").asText()).isEqualTo("<p>hello</p>");

    JsonNode read = json(send(at("/wiki/rest/api/content/" + id + "?expand=body.storage")));
    assertThat(read.get("title").asText()).isEqualTo("Created in a test");
    assertThat(read.at("/body/storage/value").asText()).isEqualTo("<p>hello</p>");

    HttpResponse<String> stale =
        send(
            at("/wiki/rest/api/content/" + id)
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"page\",\"title\":\"Renamed\",\"version\":{\"number\":1}}")));
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(json(stale).get("message").asText()).contains("Current version is: 1");

    HttpResponse<String> updated =
        send(
            at("/wiki/rest/api/content/" + id)
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"page\",\"title\":\"Renamed\",\"version\":{\"number\":2}}")));
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(json(updated).at("/version/number").asInt()).isEqualTo(2);
    assertThat(json(send(at("/wiki/rest/api/content/" + id))).get("title").asText())
        .isEqualTo("Renamed");
  }

  @Test
  void invalidPagesAreRefusedInConfluencesShape() throws Exception {
    HttpResponse<String> noTitle = post("{\"type\":\"page\",\"space\":{\"key\":\"DEMO\"}}");
    assertThat(noTitle.statusCode()).isEqualTo(400);
    JsonNode body = json(noTitle);
    assertThat(body.get("statusCode").asInt()).isEqualTo(400);
    assertThat(body.get("message").asText()).isNotBlank();

    HttpResponse<String> noSpace = post("{\"type\":\"page\",\"title\":\"x\"}");
    assertThat(noSpace.statusCode()).isEqualTo(400);
    assertThat(json(noSpace).get("message").asText()).contains("space");

    HttpResponse<String> unknownSpace =
        post("{\"type\":\"page\",\"title\":\"x\",\"space\":{\"key\":\"NOPE\"}}");
    assertThat(unknownSpace.statusCode()).isEqualTo(400);

    HttpResponse<String> duplicate =
        post(
            "{\"type\":\"page\",\"title\":\"Welcome to the demo space\",\"space\":{\"key\":\"DEMO\"}}");
    assertThat(duplicate.statusCode()).isEqualTo(400);
    assertThat(json(duplicate).get("message").asText()).contains("already exists");
  }

  @Test
  void unknownContentAndPathsAre404InConfluencesShape() throws Exception {
    HttpResponse<String> missing = send(at("/wiki/rest/api/content/1"));
    assertThat(missing.statusCode()).isEqualTo(404);
    JsonNode body = json(missing);
    assertThat(body.get("statusCode").asInt()).isEqualTo(404);
    assertThat(body.get("message").asText()).isEqualTo("No content found with id: ContentId{id=1}");

    HttpResponse<String> path = send(at("/wiki/rest/api/nothing"));
    assertThat(path.statusCode()).isEqualTo(404);
    assertThat(json(path).get("statusCode").asInt()).isEqualTo(404);
  }

  @Test
  void spacesAndContentListsAreCollections() throws Exception {
    JsonNode spaces = json(send(at("/wiki/rest/api/space")));
    assertThat(spaces.at("/results/0/key").asText()).isEqualTo("DEMO");
    assertThat(spaces.get("start").asInt()).isZero();
    assertThat(spaces.get("limit").asInt()).isEqualTo(25);
    assertThat(spaces.get("size").asInt()).isEqualTo(1);
    assertThat(spaces.at("/_links/base").asText()).isEqualTo(confluence.uri() + "/wiki");

    JsonNode space = json(send(at("/wiki/rest/api/space/DEMO")));
    assertThat(space.get("name").asText()).isEqualTo("Demo space");

    JsonNode pages = json(send(at("/wiki/rest/api/content?spaceKey=DEMO&limit=2")));
    assertThat(pages.get("size").asInt()).isEqualTo(2);
    assertThat(pages.at("/results/0/id").asText()).isEqualTo("65537");
  }

  @Test
  void theIdentityEchoNeverShowsACredential() throws Exception {
    HttpResponse<String> response =
        send(
            at("/wiki/rest/api/space")
                .header("Authorization", "Bearer very-secret-token")
                .header("X-Forwarded-For", "198.51.100.1"));
    String identity = response.headers().firstValue("x-mock-identity").orElseThrow();
    assertThat(identity).doesNotContain("very-secret-token");
    assertThat(JSON.readTree(identity).get("authorization").asText()).isEqualTo("Bearer present");
    assertThat(JSON.readTree(identity).get("x-forwarded-for").asText()).isEqualTo("198.51.100.1");
  }
}
