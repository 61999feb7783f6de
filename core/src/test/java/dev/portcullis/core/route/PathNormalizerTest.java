package dev.portcullis.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {

  @ParameterizedTest
  @CsvSource({
    "/rest/api/3/issue/ABC-1, /rest/api/3/issue/ABC-1",
    "/, /",
    "/rest/api/3/issue/../../../admin, /rest/admin",
    "/rest/api/3/./issue, /rest/api/3/issue",
    "/rest//api///3, /rest/api/3",
    "/rest/%2e%2e/admin, /admin",
    "/rest/%2E./admin, /admin",
    "/rest/.%2e/admin, /admin",
    "/r%65st/api, /rest/api",
    "/wiki/space%20name, /wiki/space%20name",
    "/wiki/a%3fb, /wiki/a%3Fb",
    "/rest/api/, /rest/api/",
    "/rest/api/3/issue/.., /rest/api/3",
    "/a/b/../../, /",
    "/~user/x_y-z, /~user/x_y-z"
  })
  void canonicalForms(String raw, String expected) {
    assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @Test
  void aCanonicalPathIsReturnedAsIs() {
    String path = "/rest/api/3/issue/ABC-1";
    assertThat(PathNormalizer.normalize(path)).isSameAs(path);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/../etc/passwd",
        "/rest/../../admin",
        "/rest/%2e%2e/%2e%2e/admin",
        "/rest%2fapi",
        "/rest%2Fapi",
        "/rest%5capi",
        "/rest\\api",
        "/rest/%00",
        "/rest/%zz",
        "/rest/%4",
        "/rest/a b",
        "rest/api"
      })
  void hostilePathsAreRejected(String raw) {
    assertThatThrownBy(() -> PathNormalizer.normalize(raw))
        .isInstanceOf(PathNormalizer.RejectedPathException.class)
        .hasMessageStartingWith("The request path");
  }
}
