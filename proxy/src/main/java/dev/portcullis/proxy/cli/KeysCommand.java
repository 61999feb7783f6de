package dev.portcullis.proxy.cli;

import dev.portcullis.auth.apikey.ApiKeyAudit;
import dev.portcullis.auth.apikey.ApiKeyInfo;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.IssuedApiKey;
import dev.portcullis.auth.apikey.NewApiKey;
import dev.portcullis.core.config.AccessLogConfig;
import dev.portcullis.core.config.GatewayConfig;
import dev.portcullis.proxy.observe.Observability;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keys create|list|show|revoke|rotate}: key management straight against the configured
 * store, with the gateway running or not. This is how the first admin key is made. Changes are
 * audited to the configured audit log with the actor {@code cli:<os user>}, and revocations are
 * published to the other replicas when Redis is configured. A failure is one line and exit 1.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Manage API keys in the configured credential store.",
    subcommands = {
      KeysCommand.Create.class,
      KeysCommand.ListKeys.class,
      KeysCommand.Show.class,
      KeysCommand.Revoke.class,
      KeysCommand.Rotate.class
    })
final class KeysCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "Missing required subcommand (try 'portcullis keys create --type admin --subject NAME')");
  }

  /** What every subcommand shares: the configuration, the service, the audit log. */
  abstract static class KeyTask implements Callable<Integer> {
    private final Map<String, String> env;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "YAML configuration (default: $PORTCULLIS_CONFIG, else built-in defaults).")
    Path config;

    @Spec CommandLine.Model.CommandSpec spec;

    KeyTask(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public final Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Optional<GatewayConfig> loaded = ConfigFiles.load(config, env, err);
      if (loaded.isEmpty()) {
        return CliErrors.INVALID;
      }
      GatewayConfig gateway =
          loaded
              .get()
              .withAccessLog(new AccessLogConfig(false, AccessLogConfig.Destination.STDOUT, null));
      try (ApiKeyService keys = ApiKeyService.open(gateway);
          Observability audit = Observability.create(gateway)) {
        // A missing pepper or an unreachable store throws a one-line reason naming the key.
        return run(keys, new Audit(audit), out);
      } finally {
        out.flush();
      }
    }

    abstract int run(ApiKeyService keys, Audit audit, PrintWriter out) throws Exception;

    static IllegalStateException failure(String message) {
      return new IllegalStateException(message);
    }
  }

  /** Records management events as the CLI's user. */
  record Audit(Observability observability) {
    void record(String action, ApiKeyInfo key) {
      String actor = "cli:" + System.getProperty("user.name", "unknown");
      observability.auditSink().record(ApiKeyAudit.event(action, key, actor, null, null, null));
    }
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new IllegalStateException("the credential store did not answer within 60 seconds");
    }
  }

  static void printKey(PrintWriter out, ApiKeyInfo key, Instant now) {
    line(out, "id", key.id());
    line(out, "type", key.type());
    line(out, "subject", key.subject());
    line(out, "tenant", key.tenant());
    line(out, "scopes", key.scopes().isEmpty() ? null : String.join(" ", key.scopes()));
    line(out, "status", key.status(now));
    line(out, "created", key.created());
    line(out, "expires", key.expires() == null ? "never" : key.expires());
    line(out, "revoked_at", key.revokedAt());
    line(
        out, "allowed_ips", key.allowedIps().isEmpty() ? null : String.join(",", key.allowedIps()));
    line(out, "rate_limit", key.rateLimit());
    line(out, "last_used", key.lastUsed());
    line(out, "previous_valid_until", key.previousValidUntil());
  }

  private static void line(PrintWriter out, String name, Object value) {
    out.printf("%-21s %s%n", name + ":", value == null ? "-" : value);
  }

  static void printIssued(PrintWriter out, IssuedApiKey issued, Instant now) {
    line(out, "key", issued.key());
    printKey(out, issued.info(), now);
    out.println();
    out.println("The key is shown once: store it now. Only its hash is kept.");
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Issue a new key.")
  static final class Create extends KeyTask {
    @Option(names = "--type", required = true, description = "user, service or admin.")
    String type;

    @Option(names = "--subject", required = true, description = "The user or service id.")
    String subject;

    @Option(names = "--tenant", description = "The tenant (organisation).")
    String tenant;

    @Option(
        names = "--scope",
        split = ",",
        paramLabel = "SCOPE",
        description = "A granted scope such as jira:read; repeat or separate with commas.")
    List<String> scopes = new ArrayList<>();

    @Option(
        names = "--expires",
        description =
            "An instant (2027-01-31T00:00:00Z), a lifetime (30d, 12h) or never; default by type.")
    String expires;

    @Option(
        names = "--allowed-ip",
        split = ",",
        paramLabel = "CIDR",
        description = "Where the key may be used from; repeat or separate with commas.")
    List<String> allowedIps = new ArrayList<>();

    @Option(names = "--rate-limit", description = "Its own rate such as 500/hour.")
    String rateLimit;

    Create(Map<String, String> env) {
      super(env);
    }

    @Override
    int run(ApiKeyService keys, Audit audit, PrintWriter out) throws Exception {
      Instant parsed = NewApiKey.parseExpires(expires, keys.now());
      boolean never = Instant.MAX.equals(parsed);
      NewApiKey request =
          new NewApiKey(
              NewApiKey.parseType(type),
              subject,
              tenant,
              scopes,
              never ? null : parsed,
              never,
              allowedIps,
              rateLimit);
      IssuedApiKey issued = await(keys.create(request));
      audit.record(ApiKeyAudit.CREATED, issued.info());
      printIssued(out, issued, keys.now());
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List keys (never their secrets).")
  static final class ListKeys extends KeyTask {
    @Option(names = "--subject", description = "Only this subject's keys.")
    String subject;

    @Option(names = "--tenant", description = "Only this tenant's keys.")
    String tenant;

    ListKeys(Map<String, String> env) {
      super(env);
    }

    @Override
    int run(ApiKeyService keys, Audit audit, PrintWriter out) throws Exception {
      Instant now = keys.now();
      out.printf(
          "%-20s %-8s %-8s %-24s %-16s %-24s %s%n",
          "ID", "TYPE", "STATUS", "SUBJECT", "TENANT", "EXPIRES", "SCOPES");
      for (ApiKeyInfo key : await(keys.list(subject, tenant))) {
        out.printf(
            "%-20s %-8s %-8s %-24s %-16s %-24s %s%n",
            key.id(),
            key.type(),
            key.status(now),
            key.subject(),
            key.tenant() == null ? "-" : key.tenant(),
            key.expires() == null ? "never" : key.expires(),
            String.join(" ", key.scopes()));
      }
      return 0;
    }
  }

  /**
   * Key ids are base64url, and ids issued before new ids stopped starting with '-' may; picocli
   * would take {@code keys show -Xyz} for an unknown option and the key could not be shown, rotated
   * or revoked by its id. These subcommands have no options but help, so anything unmatched is the
   * id ({@code keys show -- -hV...} for an id that begins like {@code -h} or {@code -V}).
   */
  static void acceptIdsStartingWithADash(CommandLine keys) {
    for (String name : List.of("show", "revoke", "rotate")) {
      keys.getSubcommands()
          .get(name)
          .setUnmatchedOptionsArePositionalParams(true)
          .setPosixClusteredShortOptionsAllowed(false);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one key.")
  static final class Show extends KeyTask {
    @Parameters(paramLabel = "ID", description = "The key id.")
    String id;

    Show(Map<String, String> env) {
      super(env);
    }

    @Override
    int run(ApiKeyService keys, Audit audit, PrintWriter out) throws Exception {
      ApiKeyInfo key = await(keys.get(id)).orElseThrow(() -> failure("no API key " + id));
      printKey(out, key, keys.now());
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a key, here and on every replica.")
  static final class Revoke extends KeyTask {
    @Parameters(paramLabel = "ID", description = "The key id.")
    String id;

    Revoke(Map<String, String> env) {
      super(env);
    }

    @Override
    int run(ApiKeyService keys, Audit audit, PrintWriter out) throws Exception {
      ApiKeyInfo key = await(keys.revoke(id)).orElseThrow(() -> failure("no API key " + id));
      audit.record(ApiKeyAudit.REVOKED, key);
      printKey(out, key, keys.now());
      return 0;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = "Issue a new secret; the old one stays valid for auth.api_keys.rotation_grace.")
  static final class Rotate extends KeyTask {
    @Parameters(paramLabel = "ID", description = "The key id.")
    String id;

    Rotate(Map<String, String> env) {
      super(env);
    }

    @Override
    int run(ApiKeyService keys, Audit audit, PrintWriter out) throws Exception {
      IssuedApiKey issued =
          await(keys.rotate(id))
              .orElseThrow(
                  () -> failure("no active API key " + id + " (revoked keys cannot be rotated)"));
      audit.record(ApiKeyAudit.ROTATED, issued.info());
      printIssued(out, issued, keys.now());
      return 0;
    }
  }
}
