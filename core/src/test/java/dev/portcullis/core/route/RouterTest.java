package dev.portcullis.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.core.config.RouteConfig;
import dev.portcullis.core.pipeline.FilterDecision;
import dev.portcullis.core.pipeline.RequestFilter;
import dev.portcullis.core.pipeline.RouteFilterFactory;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {

  @Test
  void builtInAtlassianRoutesSendJiraAndConfluencePathsToTheirUpstreams() {
    Router router = Router.compile(GatewayConfig.defaults(), List.of());
    assertThat(router.match("h", HttpMethod.GET, "/rest/api/3/issue/DEMO-1").upstream())
        .isEqualTo("jira");
    assertThat(router.match("h", HttpMethod.GET, "/rest/agile/1.0/board").upstream())
        .isEqualTo("jira");
    assertThat(router.match("h", HttpMethod.POST, "/rest/servicedeskapi/request").upstream())
        .isEqualTo("jira");
    assertThat(router.match("h", HttpMethod.GET, "/wiki/rest/api/space").upstream())
        .isEqualTo("confluence");
    assertThat(router.match("h", HttpMethod.GET, "/wiki").upstream()).isEqualTo("confluence");
    assertThat(router.match("h", HttpMethod.GET, "/wikipedia")).isNull();
    assertThat(router.match("h", HttpMethod.GET, "/rest/apix/3")).isNull();
    assertThat(router.match("h", HttpMethod.GET, "/")).isNull();
  }

  @Test
  void globsMatchOneSegmentWithStarAndAnySuffixWithDoubleStar() {
    PathPattern one = PathPattern.glob("/rest/api/3/issue/*");
    assertThat(one.matches("/rest/api/3/issue/ABC-1")).isTrue();
    assertThat(one.matches("/rest/api/3/issue/ABC-1/comment")).isFalse();
    PathPattern middle = PathPattern.glob("/rest/api/*/issue/**");
    assertThat(middle.matches("/rest/api/2/issue/ABC-1/comment")).isTrue();
    assertThat(middle.matches("/rest/api/2/project")).isFalse();
    assertThat(middle.matches("/rest/apx/2/issue/ABC-1")).isFalse();
    PathPattern leadingStar = PathPattern.glob("/*/wiki/**");
    assertThat(leadingStar.matches("/x/wiki/page")).isTrue();
    assertThat(leadingStar.matches("/x/jira/page")).isFalse();
    PathPattern exact = PathPattern.glob("/rest/api/3/myself");
    assertThat(exact.matches("/rest/api/3/myself")).isTrue();
    assertThat(exact.matches("/rest/api/3/myself/x")).isFalse();
    PathPattern literalDots = PathPattern.glob("/a.b/*");
    assertThat(literalDots.matches("/aXb/c")).isFalse();
    assertThatThrownBy(() -> PathPattern.glob("rest/**"))
        .hasMessage("'rest/**' (expected: a path starting with /, such as /rest/api/**)");
  }

  @Test
  void firstMatchingRouteWinsAndHostAndMethodsNarrowIt() {
    GatewayConfig base = GatewayConfig.defaults();
    List<RouteConfig> routes =
        List.of(
            new RouteConfig(
                "reads-on-api-host",
                null,
                "/rest",
                "API.Example.com",
                List.of("GET"),
                "confluence",
                null,
                null,
                null),
            RouteConfig.glob("rest", "/rest/**", "jira"));
    Router router =
        Router.compile(
            new GatewayConfig(base.server(), base.admin(), base.upstreams(), routes), List.of());
    assertThat(router.match("api.example.com:8443", HttpMethod.GET, "/rest/x").name())
        .isEqualTo("reads-on-api-host");
    assertThat(router.match("api.example.com", HttpMethod.POST, "/rest/x").name())
        .isEqualTo("rest");
    assertThat(router.match("other.example.com", HttpMethod.GET, "/rest/x").name())
        .isEqualTo("rest");
    assertThat(router.match(null, HttpMethod.GET, "/rest/x").name()).isEqualTo("rest");
  }

  @Test
  void rewriteStripsAndAddsPrefixes() {
    GatewayConfig base = GatewayConfig.defaults();
    RouteConfig config =
        new RouteConfig("j", null, "/jira", null, List.of(), "jira", "/jira", "/base/", null);
    Route route =
        Router.compile(
                new GatewayConfig(base.server(), base.admin(), base.upstreams(), List.of(config)),
                List.of())
            .routes()
            .get(0);
    assertThat(route.upstreamPath("/jira/rest/api/3/myself")).isEqualTo("/base/rest/api/3/myself");
    assertThat(route.upstreamPath("/jira")).isEqualTo("/base");
  }

  @Test
  void factoriesContributeFiltersInTheirOrder() {
    RequestFilter first = exchange -> FilterDecision.CONTINUE;
    RequestFilter second = exchange -> FilterDecision.CONTINUE;
    RouteFilterFactory late = factory(20, second);
    RouteFilterFactory early = factory(10, first);
    Router router = Router.compile(GatewayConfig.defaults(), List.of(late, early));
    assertThat(router.routes().get(0).requestFilters()).containsExactly(first, second);
  }

  private static RouteFilterFactory factory(int order, RequestFilter filter) {
    return new RouteFilterFactory() {
      @Override
      public int order() {
        return order;
      }

      @Override
      public List<RequestFilter> requestFilters(RouteConfig route) {
        return List.of(filter);
      }
    };
  }
}
