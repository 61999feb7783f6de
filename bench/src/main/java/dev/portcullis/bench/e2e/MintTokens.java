package dev.portcullis.bench.e2e;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.crypto.SecretKey;

/**
 * Writes {@code --count} HS256 JWTs, one subject each, as {@code Authorization: Bearer} header
 * lines for {@link ConstantRateLoad}'s {@code --header-file}: load from many principals at once,
 * each of which needs its own identity token. Valid for an hour, with the issuer and audience the
 * {@code bench/e2e/portcullis-principals.yaml} gateway trusts.
 */
public final class MintTokens {
  private MintTokens() {}

  public static void main(String[] args) throws IOException {
    int count = 0;
    String secret = null;
    Path out = null;
    if (args.length % 2 != 0) {
      usage("every option takes a value");
      return;
    }
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--count" -> count = parseCount(args[i + 1]);
        case "--secret" -> secret = args[i + 1];
        case "--out" -> out = Path.of(args[i + 1]);
        default -> {
          usage("unknown argument: " + args[i]);
          return;
        }
      }
    }
    if (count < 1 || count > 1_000_000 || secret == null || out == null) {
      usage("--count (1..1000000), --secret and --out are required");
      return;
    }
    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    if (secretBytes.length < 32) {
      usage("--secret: at least 32 bytes for HS256");
      return;
    }
    SecretKey key = Keys.hmacShaKeyFor(secretBytes);
    Instant now = Instant.now();
    List<String> lines = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String token =
          Jwts.builder()
              .issuer("bench-idp")
              .subject("user-" + i)
              .audience()
              .add("portcullis-bench")
              .and()
              .claim("scope", "jira:read")
              .issuedAt(Date.from(now))
              .expiration(Date.from(now.plus(Duration.ofHours(1))))
              .signWith(key, Jwts.SIG.HS256)
              .compact();
      lines.add("Authorization: Bearer " + token);
    }
    Files.write(out, lines);
  }

  private static int parseCount(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return -1; // reported as out of range
    }
  }

  private static void usage(String problem) {
    System.err.println("MintTokens: " + problem);
    System.err.println("usage: MintTokens --count N --secret S --out FILE");
    System.exit(2);
  }
}
