package dev.portcullis.core.route;

import java.util.regex.Pattern;

/**
 * A compiled route path pattern. Three shapes, chosen at compile time so the common ones never run
 * a regex: an exact path, a prefix on a segment boundary ({@code /rest/api/**} or a {@code
 * path_prefix}), and a general glob where {@code *} is one segment and {@code **} any suffix.
 *
 * <p>Immutable and thread-safe; {@link #matches} allocates nothing for the first two shapes, nor
 * for a glob whose literal head the path lacks.
 */
public final class PathPattern {
  private enum Kind {
    EXACT,
    PREFIX,
    GLOB
  }

  private final String source;
  private final Kind kind;
  private final String literal;
  private final Pattern regex;

  private PathPattern(String source, Kind kind, String literal, Pattern regex) {
    this.source = source;
    this.kind = kind;
    this.literal = literal;
    this.regex = regex;
  }

  /**
   * Compiles a glob such as {@code /rest/api/**}.
   *
   * @throws IllegalArgumentException when it does not start with {@code /}
   */
  public static PathPattern glob(String pattern) {
    requireAbsolute(pattern);
    if (pattern.endsWith("/**")
        && pattern.indexOf('*') == pattern.length() - 2
        && pattern.length() > 3) {
      return new PathPattern(
          pattern, Kind.PREFIX, pattern.substring(0, pattern.length() - 3), null);
    }
    if (pattern.equals("/**")) {
      return new PathPattern(pattern, Kind.PREFIX, "", null);
    }
    if (pattern.indexOf('*') < 0) {
      return new PathPattern(pattern, Kind.EXACT, pattern, null);
    }
    StringBuilder re = new StringBuilder();
    int literalStart = 0;
    for (int i = 0; i < pattern.length(); i++) {
      if (pattern.charAt(i) != '*') {
        continue;
      }
      re.append(Pattern.quote(pattern.substring(literalStart, i)));
      if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else {
        re.append("[^/]*");
      }
      literalStart = i + 1;
    }
    re.append(Pattern.quote(pattern.substring(literalStart)));
    // The literal text before the first wildcard: a path without it cannot match, and checking it
    // first spares most requests the regex (and its Matcher allocation) when rules are walked.
    String literalHead = pattern.substring(0, pattern.indexOf('*'));
    return new PathPattern(pattern, Kind.GLOB, literalHead, Pattern.compile(re.toString()));
  }

  /** A plain prefix matched on segment boundaries: {@code /wiki} matches {@code /wiki/x}. */
  public static PathPattern prefix(String prefix) {
    requireAbsolute(prefix);
    String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return new PathPattern(prefix, Kind.PREFIX, trimmed, null);
  }

  private static void requireAbsolute(String pattern) {
    if (pattern == null || !pattern.startsWith("/")) {
      throw new IllegalArgumentException(
          "'" + pattern + "' (expected: a path starting with /, such as /rest/api/**)");
    }
  }

  public boolean matches(String path) {
    switch (kind) {
      case EXACT:
        return path.equals(literal);
      case PREFIX:
        int n = literal.length();
        return path.startsWith(literal) && (path.length() == n || path.charAt(n) == '/');
      default:
        return path.startsWith(literal) && regex.matcher(path).matches();
    }
  }

  @Override
  public String toString() {
    return source;
  }
}
