package dev.portcullis.proxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.core.config.AdminConfig;
import dev.portcullis.core.config.ConfigLoader;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo as a user meets it: the built-in routes, through the gateway, to the mock products. */
class DemoModeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DemoBackends backends;
  private static Gateway gateway;
  private static DemoKeys demoKeys;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    GatewayConfig config =
        new ConfigLoader(
                Map.of(
                    "PORTCULLIS_SERVER_PORT", "0",
                    "PORTCULLIS_SERVER_ADDRESS", "127.0.0.1",
                    "PORTCULLIS_ADMIN_PORT", "0"))
            .load(null);
    assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 0));
    config = DemoKeys.inMemoryStore(config);
    ApiKeyService keys = ApiKeyService.open(config);
    demoKeys = DemoKeys.seed(keys);
    backends = DemoBackends.start();
    gateway = Gateway.start(backends.wire(config), keys);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    backends.close();
  }

  /** Sends with the demo's service key, which may read and write both products. */
  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return sendAs(demoKeys.service().key(), request);
  }

  private HttpResponse<String> sendAs(String apiKey, HttpRequest.Builder request) throws Exception {
    if (apiKey != null) {
      request.header("X-API-Key", apiKey);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theSeededKeysGetWhatTheirScopesAllow() throws Exception {
    assertThat(sendAs(null, HttpRequest.newBuilder(url("/rest/api/3/issue/DEMO-1"))).statusCode())
        .isEqualTo(401);
    String user = demoKeys.user().key();
    assertThat(sendAs(user, HttpRequest.newBuilder(url("/rest/api/3/issue/DEMO-1"))).statusCode())
        .isEqualTo(200);
    HttpResponse<String> create =
        sendAs(
            user,
            HttpRequest.newBuilder(url("/rest/api/3/issue"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(create.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(create.body()).get("message").asText()).contains("jira.issues.create");
    // A mistyped key is refused by its checksum with the same 401 as an unknown one.
    String mistyped = user.substring(0, user.length() - 1) + (user.endsWith("A") ? "B" : "A");
    assertThat(
            sendAs(mistyped, HttpRequest.newBuilder(url("/rest/api/3/issue/DEMO-1"))).statusCode())
        .isEqualTo(401);
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + gateway.address().getPort() + path);
  }

  @Test
  void getsTheMockIssueThroughTheGateway() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(url("/rest/api/3/issue/DEMO-1")));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode issue = JSON.readTree(response.body());
    assertThat(issue.get("key").asText()).isEqualTo("DEMO-1");
    assertThat(issue.at("/fields/summary").asText()).isNotBlank();
    assertThat(issue.at("/fields/project/key").asText()).isEqualTo("DEMO");
    assertThat(issue.at("/fields/description/type").asText()).isEqualTo("doc");
    assertThat(response.headers().firstValue("cache-control"))
        .hasValue("no-cache, no-store, no-transform");
    assertThat(response.headers().firstValue("x-arequestid")).isPresent();
    JsonNode identity =
        JSON.readTree(response.headers().firstValue("x-mock-identity").orElseThrow());
    assertThat(identity.get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
    assertThat(identity.get("via").asText()).isEqualTo("1.1 portcullis");
    assertThat(identity.get("x-request-id").asText())
        .isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
    // The client's key stays at the gateway; the backend gets the gateway's identity token.
    assertThat(identity.has("x-api-key")).isFalse();
    assertThat(identity.get("authorization").asText()).isEqualTo("Bearer present");
  }

  @Test
  void aCreatedIssueCanBeReadBackAndUpdated() throws Exception {
    HttpResponse<String> created =
        send(
            HttpRequest.newBuilder(url("/rest/api/3/issue"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"fields\":{\"project\":{\"key\":\"DEMO\"},\"summary\":\"Made in a test\",\"issuetype\":{\"name\":\"Task\"}}}")));
    assertThat(created.statusCode()).isEqualTo(201);
    String key = JSON.readTree(created.body()).get("key").asText();
    assertThat(key).startsWith("DEMO-");

    HttpResponse<String> update =
        send(
            HttpRequest.newBuilder(url("/rest/api/3/issue/" + key))
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString("{\"fields\":{\"summary\":\"Renamed\"}}")));
    assertThat(update.statusCode()).isEqualTo(204);

    JsonNode issue =
        JSON.readTree(send(HttpRequest.newBuilder(url("/rest/api/3/issue/" + key))).body());
    assertThat(issue.at("/fields/summary").asText()).isEqualTo("Renamed");

    JsonNode search =
        JSON.readTree(
            send(HttpRequest.newBuilder(url("/rest/api/3/search?jql=key%20%3D%20" + key))).body());
    assertThat(search.get("total").asInt()).isEqualTo(1);
    assertThat(search.at("/issues/0/key").asText()).isEqualTo(key);
  }

  @Test
  void jiraErrorsHaveJirasShape() throws Exception {
    HttpResponse<String> missing = send(HttpRequest.newBuilder(url("/rest/api/3/issue/DEMO-999")));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).at("/errorMessages/0").asText())
        .isEqualTo("Issue does not exist or you do not have permission to see it.");

    HttpResponse<String> invalid =
        send(
            HttpRequest.newBuilder(url("/rest/api/3/issue"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"fields\":{\"project\":{\"key\":\"DEMO\"}}}")));
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(invalid.body()).at("/errors/summary").asText())
        .isEqualTo("You must specify a summary of the issue.");
  }

  @Test
  void confluenceContentAndSpacesGoToTheConfluenceMock() throws Exception {
    HttpResponse<String> page =
        send(
            HttpRequest.newBuilder(
                url("/wiki/rest/api/content/65537?expand=body.storage,version")));
    assertThat(page.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(page.body());
    assertThat(json.get("type").asText()).isEqualTo("page");
    assertThat(json.at("/space/key").asText()).isEqualTo("DEMO");
    assertThat(json.at("/body/storage/representation").asText()).isEqualTo("storage");
    assertThat(page.headers().firstValue("x-confluence-request-time")).isPresent();

    HttpResponse<String> created =
        send(
            HttpRequest.newBuilder(url("/wiki/rest/api/content"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"page\",\"title\":\"New page\",\"space\":{\"key\":\"DEMO\"},\"body\":{\"storage\":{\"value\":\"<p>x</p>\",\"representation\":\"storage\"}}}")));
    assertThat(created.statusCode()).isEqualTo(200);
    String id = JSON.readTree(created.body()).get("id").asText();
    assertThat(
            JSON.readTree(send(HttpRequest.newBuilder(url("/wiki/rest/api/content/" + id))).body())
                .get("title")
                .asText())
        .isEqualTo("New page");

    JsonNode spaces =
        JSON.readTree(send(HttpRequest.newBuilder(url("/wiki/rest/api/space"))).body());
    assertThat(spaces.at("/results/0/key").asText()).isEqualTo("DEMO");

    HttpResponse<String> missing = send(HttpRequest.newBuilder(url("/wiki/rest/api/content/1")));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).get("statusCode").asInt()).isEqualTo(404);
  }

  @Test
  void theMockNeverEchoesACredential() throws Exception {
    String key = demoKeys.user().key();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(url("/rest/api/3/myself"))
                .header("Authorization", "Bearer " + key)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String identity = response.headers().firstValue("x-mock-identity").orElseThrow();
    assertThat(identity)
        .contains("\"authorization\":\"Bearer present\"")
        .doesNotContain(key)
        .doesNotContain(key.substring(key.length() - 20));
    assertThat(JSON.readTree(response.body()).get("displayName").asText()).isEqualTo("Demo User");
  }

  @Test
  void pathsOutsideTheRoutesAre404FromTheGateway() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(url("/admin/secrets")));
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("no_route");
    assertThat(backends.jira().requestsServed() + backends.confluence().requestsServed())
        .isGreaterThanOrEqualTo(0);
  }
}
