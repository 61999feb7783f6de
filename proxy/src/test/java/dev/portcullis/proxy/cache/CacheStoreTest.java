package dev.portcullis.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.core.pipeline.GatewayResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

class CacheStoreTest {
  private final CacheStore store = new CacheStore(1024 * 1024);

  private static CachedEntry entry(String path, String body, String[] vary, HttpHeaders request) {
    return new CachedEntry(
        path,
        "rest",
        new GatewayResponse(HttpResponseStatus.OK, new DefaultHttpHeaders(), body.getBytes()),
        0,
        0,
        1000,
        1000,
        1000,
        null,
        null,
        vary,
        CachedEntry.varyValues(vary, request));
  }

  private static String key(String path) {
    return path + "?\u0000rest\u0000anonymous";
  }

  private static HttpHeaders request(String... namesAndValues) {
    HttpHeaders headers = new DefaultHttpHeaders();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  @Test
  void variantsOfOneKeyCoexistAndAnUnseenVariantMisses() {
    String[] vary = {"accept-language"};
    store.put(key("/a"), entry("/a", "en", vary, request("Accept-Language", "en")));
    store.put(key("/a"), entry("/a", "de", vary, request("Accept-Language", "de")));
    assertThat(store.get(key("/a"), request("Accept-Language", "en")).response().body())
        .isEqualTo("en".getBytes());
    assertThat(store.get(key("/a"), request("accept-language", "de", "X-Other", "1"))).isNotNull();
    assertThat(store.get(key("/a"), request("Accept-Language", "fr"))).isNull();
    assertThat(store.get(key("/a"), request())).isNull();
    assertThat(store.entries()).isEqualTo(2);
  }

  @Test
  void aWriteDropsTheResourceItsSubResourcesAndExactlyItsParents() {
    HttpHeaders none = request();
    for (String path :
        new String[] {
          "/rest/api/3/issue/ABC-1",
          "/rest/api/3/issue/ABC-1/comment",
          "/rest/api/3/issue/ABC-10",
          "/rest/api/3/issue",
          "/rest/api/3/issue/ABC-2",
          "/rest/api/3"
        }) {
      store.put(key(path), entry(path, path, CachedEntry.NO_VARY, none));
    }
    assertThat(store.invalidate("/rest/api/3/issue/ABC-1", 1)).isEqualTo(3);
    assertThat(store.get(key("/rest/api/3/issue/ABC-1"), none)).isNull();
    assertThat(store.get(key("/rest/api/3/issue/ABC-1/comment"), none)).isNull();
    assertThat(store.get(key("/rest/api/3/issue"), none)).isNull();
    assertThat(store.get(key("/rest/api/3/issue/ABC-10"), none)).isNotNull();
    assertThat(store.get(key("/rest/api/3/issue/ABC-2"), none)).isNotNull();
    assertThat(store.get(key("/rest/api/3"), none)).isNotNull();
    assertThat(store.purgePrefix("/rest/api/3/issue/")).isEqualTo(2);
    assertThat(store.purgeRoute("rest")).isEqualTo(1);
    assertThat(store.entries()).isZero();
  }
}
