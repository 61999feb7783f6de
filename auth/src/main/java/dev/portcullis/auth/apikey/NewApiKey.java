package dev.portcullis.auth.apikey;

import dev.portcullis.core.config.RateSpec;
import dev.portcullis.core.net.Cidr;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What to issue: the fields of {@code POST /admin/api-keys} and {@code keys create}, validated.
 *
 * @param expires when the key expires; null for the type's default lifetime
 * @param neverExpires true for a key that never expires (overrides the type's default)
 * @param allowedIps CIDRs the key may be used from; empty for anywhere
 * @param rateLimit a rate such as {@code 500/hour}, or null for the type's default
 * @throws InvalidKeyRequest naming the field
 */
public record NewApiKey(
    ApiKeyType type,
    String subject,
    String tenant,
    List<String> scopes,
    Instant expires,
    boolean neverExpires,
    List<String> allowedIps,
    String rateLimit) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9@._:+-]{1,255}");
  private static final Pattern SCOPE = Pattern.compile("[a-z][a-z0-9_.-]*(:[a-z0-9_.-]+)*");

  public NewApiKey {
    if (type == null || type == ApiKeyType.LEGACY) {
      throw new InvalidKeyRequest("type", type + " (expected: user, service or admin)");
    }
    if (subject == null || !ID.matcher(subject).matches()) {
      throw new InvalidKeyRequest(
          "subject", quoted(subject) + " (expected: 1-255 of A-Z a-z 0-9 @ . _ : + -)");
    }
    if (tenant != null && !ID.matcher(tenant).matches()) {
      throw new InvalidKeyRequest(
          "tenant", quoted(tenant) + " (expected: 1-255 of A-Z a-z 0-9 @ . _ : + -)");
    }
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
    for (String scope : scopes) {
      if (scope == null || scope.length() > 128 || !SCOPE.matcher(scope).matches()) {
        throw new InvalidKeyRequest(
            "scopes", quoted(scope) + " (expected: a scope such as jira:read)");
      }
    }
    allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
    for (String cidr : allowedIps) {
      try {
        Cidr.parse(cidr);
      } catch (IllegalArgumentException e) {
        throw new InvalidKeyRequest("allowed_ips", e.getMessage());
      }
    }
    if (rateLimit != null) {
      try {
        RateSpec.parse(rateLimit);
      } catch (IllegalArgumentException e) {
        throw new InvalidKeyRequest("rate_limit", e.getMessage());
      }
    }
    if (neverExpires && expires != null) {
      throw new InvalidKeyRequest("expires", "both a time and never (expected: one of them)");
    }
  }

  /** Reads a type name: {@code user}, {@code service} or {@code admin}. */
  public static ApiKeyType parseType(String text) {
    if (text != null) {
      for (ApiKeyType type : ApiKeyType.values()) {
        if (type != ApiKeyType.LEGACY && type.configName().equals(text)) {
          return type;
        }
      }
    }
    throw new InvalidKeyRequest("type", quoted(text) + " (expected: user, service or admin)");
  }

  /**
   * Reads an expiry as written by an operator: an ISO-8601 instant ({@code 2027-01-31T00:00:00Z}),
   * a lifetime from now ({@code 30d}, {@code 12h}, {@code P90D}), or {@code never}.
   *
   * @return the instant, {@link Instant#MAX} for never, or null when {@code text} is null
   */
  public static Instant parseExpires(String text, Instant now) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    if (t.equals("never")) {
      return Instant.MAX;
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException notAnInstant) {
      // try a lifetime
    }
    Duration lifetime = lifetime(t);
    if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
      throw new InvalidKeyRequest(
          "expires",
          quoted(text)
              + " (expected: an instant such as 2027-01-31T00:00:00Z, a lifetime such as 30d, or never)");
    }
    return now.plus(lifetime);
  }

  private static Duration lifetime(String t) {
    var m = java.util.regex.Pattern.compile("(\\d{1,9})(m|h|d)").matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return t.startsWith("P") ? Duration.parse(t) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String quoted(Object value) {
    return value == null ? "missing" : "'" + value + "'";
  }
}
