package dev.portcullis.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CacheControlTest {

  @Test
  void readsEveryDirectiveTheCacheActsOn() {
    CacheControl cc =
        CacheControl.parse(
            List.of(
                "public, max-age=60, s-maxage=\"120\"",
                "stale-while-revalidate=5, stale-if-error=300, must-revalidate"));
    assertThat(cc.publicResponse).isTrue();
    assertThat(cc.maxAge).isEqualTo(60);
    assertThat(cc.sMaxAge).isEqualTo(120);
    assertThat(cc.staleWhileRevalidate).isEqualTo(5);
    assertThat(cc.staleIfError).isEqualTo(300);
    assertThat(cc.mustRevalidate).isTrue();
    assertThat(cc.noStore || cc.noCache || cc.privateResponse).isFalse();
  }

  @Test
  void atlassianStyleNoCacheNoStoreAndQualifiedForms() {
    CacheControl cc = CacheControl.parse(List.of("no-cache, no-store, no-transform"));
    assertThat(cc.noCache).isTrue();
    assertThat(cc.noStore).isTrue();
    CacheControl qualified = CacheControl.parse(List.of("private=\"Set-Cookie, X-A\", No-Cache"));
    assertThat(qualified.privateResponse).isTrue();
    assertThat(qualified.noCache).isTrue();
  }

  @Test
  void malformedMaxAgeMeansStaleAndHugeValuesAreCapped() {
    assertThat(CacheControl.parse(List.of("max-age=abc")).maxAge).isZero();
    assertThat(CacheControl.parse(List.of("max-age=99999999999999999999")).maxAge)
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(CacheControl.parse(List.of("s-maxage=-1")).sMaxAge).isEqualTo(CacheControl.ABSENT);
    assertThat(CacheControl.parse(List.of()).maxAge).isEqualTo(CacheControl.ABSENT);
  }

  @Test
  void parentPaths() {
    assertThat(CacheStore.parentPaths("/rest/api/3/issue/ABC-1", 2))
        .containsExactly("/rest/api/3/issue", "/rest/api/3");
    assertThat(CacheStore.parentPaths("/a", 3)).isEmpty();
  }
}
