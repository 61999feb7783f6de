package dev.portcullis.proxy.cli;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.Gateway;
import dev.portcullis.proxy.admin.JwksEndpoint;
import dev.portcullis.proxy.demo.DemoBackends;
import dev.portcullis.proxy.demo.DemoKeys;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run}: loads the configuration (nothing binds when it is invalid), opens the API-key store
 * (a missing {@code auth.api_keys.pepper} is a start-up error; the demo uses an in-memory store
 * with a generated pepper and three seeded keys), starts the demo backends when asked, starts the
 * gateway, and blocks until a JVM shutdown (SIGTERM, Ctrl-C) has drained and stopped it. On
 * shutdown the mocks close after the gateway, so in-flight demo requests finish.
 */
final class GatewayLauncher {
  private static final Logger log = LoggerFactory.getLogger(GatewayLauncher.class);

  private final Map<String, String> env;
  private final PrintWriter out;
  private final PrintWriter err;

  GatewayLauncher(Map<String, String> env, PrintWriter out, PrintWriter err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  int run(RunOptions options) throws InterruptedException {
    Optional<GatewayConfig> loaded = ConfigFiles.load(options.config, env, err);
    if (loaded.isEmpty()) {
      return CliErrors.INVALID;
    }
    GatewayConfig config = options.demo ? DemoKeys.inMemoryStore(loaded.get()) : loaded.get();
    ApiKeyService keys;
    try {
      keys = ApiKeyService.open(config);
    } catch (IllegalStateException e) {
      err.println("portcullis: " + e.getMessage());
      err.flush();
      return CliErrors.INVALID;
    }
    DemoKeys demoKeys = null;
    if (options.demo) {
      try {
        demoKeys = DemoKeys.seed(keys);
      } catch (Exception e) {
        keys.close();
        throw new IllegalStateException("demo: seeding the API keys failed: " + e, e);
      }
    }
    DemoBackends backends;
    try {
      backends = options.demo ? DemoBackends.start() : null;
    } catch (InterruptedException | RuntimeException e) {
      keys.close();
      throw e;
    }
    if (backends != null) {
      for (String product : new String[] {"jira", "confluence"}) {
        if (!loaded.get().upstreams().containsKey(product)) {
          log.warn(
              "demo: the configuration has no upstream '{}', so its mock gets no traffic", product);
        }
      }
    }
    Gateway gateway;
    try {
      // The gateway owns the key service from here on and closes it when it stops.
      gateway = Gateway.start(backends == null ? config : backends.wire(config), keys);
    } catch (IllegalStateException e) {
      closeQuietly(backends);
      err.println("portcullis: " + e.getMessage());
      err.flush();
      return CliErrors.INVALID;
    } catch (RuntimeException | InterruptedException e) {
      closeQuietly(backends);
      throw e;
    }
    Thread hook =
        new Thread(
            () -> {
              gateway.shutdownGracefully();
              closeQuietly(backends);
            },
            "portcullis-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    String scheme = loaded.get().server().tls().enabled() ? "https" : "http";
    String gatewayUrl = DemoBanner.url(scheme, gateway.address());
    String adminUrl = DemoBanner.url(gateway.adminAddress());
    if (backends != null && gateway.identityTokens() != null) {
      // As a real Jira behind the gateway would: trust only requests carrying its identity token.
      backends.verifyIdentityTokens(
          URI.create(adminUrl + JwksEndpoint.PATH), config.auth().jwt().identityToken());
    }
    log.info("ready: gateway {}, admin {}", gatewayUrl, adminUrl);
    if (backends != null) {
      out.print(
          DemoBanner.render(
              scheme,
              gateway.address(),
              gateway.adminAddress(),
              backends.jira().uri(),
              backends.confluence().uri(),
              demoKeys));
      out.flush();
    }
    gateway.awaitTermination();
    removeHook(hook);
    return 0;
  }

  // When the gateway stopped for another reason than JVM shutdown, the hook must not outlive it.
  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: nothing to remove
    }
  }

  private static void closeQuietly(DemoBackends backends) {
    if (backends == null) {
      return;
    }
    try {
      backends.close();
    } catch (RuntimeException e) {
      log.warn("closing the demo backends failed: {}", e.toString());
    }
  }
}
