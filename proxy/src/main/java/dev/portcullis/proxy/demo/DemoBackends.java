package dev.portcullis.proxy.demo;

import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.JwtConfig;
import dev.portcullis.core.config.UpstreamConfig;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The demo's mock Jira and Confluence, on free loopback ports, in this process. */
public final class DemoBackends implements AutoCloseable {
  private final MockJira jira;
  private final MockConfluence confluence;

  private DemoBackends(MockJira jira, MockConfluence confluence) {
    this.jira = jira;
    this.confluence = confluence;
  }

  public static DemoBackends start() throws InterruptedException {
    MockJira jira = MockJira.start();
    try {
      return new DemoBackends(jira, MockConfluence.start());
    } catch (InterruptedException | RuntimeException e) {
      jira.close();
      throw e;
    }
  }

  public MockJira jira() {
    return jira;
  }

  public MockConfluence confluence() {
    return confluence;
  }

  /**
   * Makes both mocks require and verify the gateway's identity token against its JWKS, with the
   * audiences the configuration gives the {@code jira} and {@code confluence} upstreams.
   */
  public void verifyIdentityTokens(URI jwksUrl, JwtConfig.IdentityToken identityToken) {
    jira.verifyIdentityTokens(jwksUrl, identityToken, identityToken.audienceFor("jira"));
    confluence.verifyIdentityTokens(
        jwksUrl, identityToken, identityToken.audienceFor("confluence"));
  }

  /**
   * The configuration with the targets of the {@code jira} and {@code confluence} upstreams
   * replaced by the mocks; everything else, environment overrides included, is kept. An upstream
   * the configuration does not declare is left out, since no route could reach it.
   */
  public GatewayConfig wire(GatewayConfig config) {
    Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>(config.upstreams());
    upstreams.computeIfPresent("jira", (name, u) -> u.withTargets(List.of(jira.uri())));
    upstreams.computeIfPresent("confluence", (name, u) -> u.withTargets(List.of(confluence.uri())));
    return config.withUpstreams(upstreams);
  }

  @Override
  public void close() {
    try {
      jira.close();
    } finally {
      confluence.close();
    }
  }
}
