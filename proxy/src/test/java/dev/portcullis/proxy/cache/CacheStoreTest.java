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

  @Test
  void theIndexFollowsEvictionsSoItDoesNotGrowPastTheCache() {
    CacheStore small = new CacheStore(64 * 1024);
    HttpHeaders none = request();
    String body = "x".repeat(1024);
    for (int i = 0; i < 2_000; i++) {
      String path = "/rest/api/3/issue/ABC-" + i;
      small.put(key(path), entry(path, body, CachedEntry.NO_VARY, none));
    }
    small.cleanUp();
    assertThat(small.evictions()).isGreaterThan(1_000);
    assertThat(small.indexedKeys()).isEqualTo(small.entries()).isLessThan(100);
  }

  @Test
  void invalidationsAndPurgesLeaveNoKeyInTheIndex() {
    String[] vary = {"accept-language"};
    store.put(key("/a/b"), entry("/a/b", "en", vary, request("Accept-Language", "en")));
    store.put(key("/a/b/c"), entry("/a/b/c", "c", CachedEntry.NO_VARY, request()));
    store.put(key("/a"), entry("/a", "a", CachedEntry.NO_VARY, request()));
    store.put(key("/z"), entry("/z", "z", CachedEntry.NO_VARY, request()));
    assertThat(store.indexedKeys()).isEqualTo(5); // the Vary marker is a key too

    assertThat(store.invalidate("/a/b", 1)).isEqualTo(3);
    assertThat(store.indexedKeys()).isEqualTo(1);
    assertThat(store.purgeRoute("rest")).isEqualTo(1);
    assertThat(store.indexedKeys()).isZero();
    assertThat(store.entries()).isZero();
  }

  @Test
  void aPathSharingAPrefixWithTheWrittenOneIsNotItsSubResource() {
    HttpHeaders none = request();
    for (String path :
        new String[] {"/wiki/page", "/wiki/page-2", "/wiki/page.old", "/wiki/page/"}) {
      store.put(key(path), entry(path, path, CachedEntry.NO_VARY, none));
    }
    assertThat(store.invalidate("/wiki/page", 0)).isEqualTo(2);
    assertThat(store.get(key("/wiki/page-2"), none)).isNotNull();
    assertThat(store.get(key("/wiki/page.old"), none)).isNotNull();
    assertThat(store.get(key("/wiki/page/"), none)).isNull();
  }

  @Test
  void aPurgeAfterConcurrentWritesAndInvalidationsLeavesNothingBehind() throws Exception {
    HttpHeaders none = request();
    int threads = 4;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.List<java.util.concurrent.Future<?>> work = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        work.add(
            pool.submit(
                () -> {
                  java.util.Random random = new java.util.Random(seed);
                  for (int i = 0; i < 50_000; i++) {
                    // Mostly new paths, so a key lost from the index is not indexed again by a
                    // later put of the same key; the writes drop whole subtrees.
                    String path = "/r/" + random.nextInt(2) + "/" + seed + "-" + i;
                    if (random.nextInt(8) == 0) {
                      store.invalidate("/r/" + random.nextInt(2), 0);
                    } else {
                      store.put(key(path), entry(path, "b", CachedEntry.NO_VARY, none));
                    }
                  }
                }));
      }
      for (java.util.concurrent.Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    // Whatever interleaving happened, every stored key must still be found through the index.
    store.purgePrefix("/");
    assertThat(store.entries()).isZero();
    assertThat(store.indexedKeys()).isZero();
  }
}
