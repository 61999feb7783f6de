package dev.portcullis.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutePatternTest {
  @Test
  void literalSegmentsMatchExactlyAndParametersCaptureOneSegment() {
    RoutePattern rotate = new RoutePattern("/admin/api-keys/{id}/rotate");
    assertThat(rotate.match("/admin/api-keys/abc123/rotate")).isEqualTo(Map.of("id", "abc123"));
    assertThat(rotate.match("/admin/api-keys/abc123")).isNull();
    assertThat(rotate.match("/admin/api-keys//rotate")).isNull();
    assertThat(rotate.match("/admin/api-keys/a/b/rotate")).isNull();
    assertThat(rotate.match("/admin/api-keys/abc123/rotate/")).isNull();
    RoutePattern list = new RoutePattern("/admin/api-keys");
    assertThat(list.match("/admin/api-keys")).isEmpty();
    assertThat(list.match("/admin/api-keys/")).isNull();
    assertThat(list.match("admin/api-keys")).isNull();
  }

  @Test
  void aPatternMustBeAnAbsolutePath() {
    assertThatThrownBy(() -> new RoutePattern("admin"))
        .hasMessage("admin route: 'admin' (expected: a path from /)");
  }
}
