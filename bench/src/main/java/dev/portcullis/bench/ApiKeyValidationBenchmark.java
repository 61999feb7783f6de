package dev.portcullis.bench;

import dev.portcullis.auth.AuthVerdict;
import dev.portcullis.auth.apikey.ApiKeyHasher;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyType;
import dev.portcullis.auth.apikey.NewApiKey;
import dev.portcullis.core.config.ApiKeysConfig;
import dev.portcullis.core.config.Secret;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Validating an API key with a warm cache, as the auth filter does on an event loop for every
 * request: parse and checksum, HMAC-SHA-256 under the pepper, one Caffeine lookup, expiry and CIDR
 * checks, an already-completed stage. Beside it: the HMAC alone (the floor), a key pinned to
 * allowed networks, and a mistyped key (refused by its checksum, no hash at all).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ApiKeyValidationBenchmark {
  private static final Secret PEPPER = Secret.of("bench-pepper-" + "b".repeat(40));
  private ApiKeyService service;
  private ApiKeyHasher hasher;
  private InetAddress client;
  private String key;
  private String pinnedKey;
  private String typo;

  @Setup
  public void setUp() throws Exception {
    ApiKeysConfig config =
        ApiKeysConfig.DEFAULTS
            .withStore(
                new ApiKeysConfig.Store("jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1", "sa", null, 2))
            .withPepper(PEPPER);
    service = ApiKeyService.open(config, null, Clock.systemUTC(), null);
    hasher = new ApiKeyHasher(PEPPER);
    client = InetAddress.getByName("10.1.2.3");
    key = create(List.of());
    pinnedKey = create(List.of("192.168.0.0/16", "10.0.0.0/8"));
    typo = key.substring(0, 30) + (key.charAt(30) == 'A' ? 'B' : 'A') + key.substring(31);
    for (String k : List.of(key, pinnedKey)) {
      AuthVerdict verdict = service.verify(k, client).toCompletableFuture().get();
      if (!(verdict instanceof AuthVerdict.Authenticated)) {
        throw new IllegalStateException("the benchmark key is refused: " + verdict);
      }
    }
  }

  private String create(List<String> cidrs) throws Exception {
    return service
        .create(
            new NewApiKey(
                ApiKeyType.SERVICE,
                "bench",
                "acme",
                List.of("jira:read", "jira:write"),
                null,
                false,
                cidrs,
                null))
        .toCompletableFuture()
        .get()
        .key();
  }

  @TearDown
  public void tearDown() {
    service.close();
  }

  @Benchmark
  public CompletionStage<AuthVerdict> validKeyWarmCache() {
    return service.verify(key, client);
  }

  @Benchmark
  public CompletionStage<AuthVerdict> validKeyWithAllowedNetworks() {
    return service.verify(pinnedKey, client);
  }

  @Benchmark
  public CompletionStage<AuthVerdict> mistypedKey() {
    return service.verify(typo, client);
  }

  @Benchmark
  public byte[] hmacAlone() {
    return hasher.hash(key);
  }
}
