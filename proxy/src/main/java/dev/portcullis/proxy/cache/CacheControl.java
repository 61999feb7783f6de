package dev.portcullis.proxy.cache;

import java.util.Locale;

/**
 * The {@code Cache-Control} directives the cache acts on (RFC 9111 §5.2), parsed from one or more
 * header values. Unknown directives are ignored; a malformed delta-seconds counts as absent, except
 * {@code max-age}, which then means "stale at once" as §4.2.1 asks. Not modified once parsed, so
 * safe to share; {@link #NONE} is the parse of no header at all.
 */
final class CacheControl {
  static final long ABSENT = -1;
  static final CacheControl NONE = new CacheControl();

  boolean noStore;
  boolean noCache;
  boolean privateResponse;
  boolean publicResponse;
  boolean mustRevalidate;
  boolean onlyIfCached;
  long maxAge = ABSENT;
  long sMaxAge = ABSENT;
  long staleWhileRevalidate = ABSENT;
  long staleIfError = ABSENT;

  private CacheControl() {}

  /** Parses every value of the header; null or empty gives {@link #NONE}. */
  static CacheControl parse(Iterable<String> values) {
    CacheControl cc = null;
    if (values == null) {
      return NONE;
    }
    for (String value : values) {
      if (cc == null) {
        cc = new CacheControl();
      }
      cc.parseOne(value);
    }
    return cc == null ? NONE : cc;
  }

  private void parseOne(String value) {
    int i = 0;
    int n = value.length();
    while (i < n) {
      int end = i;
      boolean quoted = false;
      while (end < n && (quoted || value.charAt(end) != ',')) {
        if (value.charAt(end) == '"') {
          quoted = !quoted;
        }
        end++;
      }
      directive(value.substring(i, end).trim());
      i = end + 1;
    }
  }

  private void directive(String text) {
    if (text.isEmpty()) {
      return;
    }
    int eq = text.indexOf('=');
    String name = (eq < 0 ? text : text.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
    String arg = eq < 0 ? null : unquote(text.substring(eq + 1).trim());
    switch (name) {
      case "no-store" -> noStore = true;
      // A qualified no-cache ("no-cache=Set-Cookie") still means revalidate for a shared cache.
      case "no-cache" -> noCache = true;
      case "private" -> privateResponse = true;
      case "public" -> publicResponse = true;
      case "must-revalidate", "proxy-revalidate" -> mustRevalidate = true;
      case "only-if-cached" -> onlyIfCached = true;
      case "max-age" -> maxAge = Math.max(0, seconds(arg));
      case "s-maxage" -> sMaxAge = seconds(arg);
      case "stale-while-revalidate" -> staleWhileRevalidate = seconds(arg);
      case "stale-if-error" -> staleIfError = seconds(arg);
      default -> {}
    }
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"'
        ? s.substring(1, s.length() - 1)
        : s;
  }

  /** Delta-seconds, capped (§1.2.2) so arithmetic never overflows; ABSENT when malformed. */
  private static long seconds(String arg) {
    if (arg == null || arg.isEmpty() || arg.length() > 12) {
      return arg != null && arg.length() > 12 && arg.chars().allMatch(Character::isDigit)
          ? Integer.MAX_VALUE
          : ABSENT;
    }
    for (int i = 0; i < arg.length(); i++) {
      if (!Character.isDigit(arg.charAt(i))) {
        return ABSENT;
      }
    }
    return Math.min(Long.parseLong(arg), Integer.MAX_VALUE);
  }
}
