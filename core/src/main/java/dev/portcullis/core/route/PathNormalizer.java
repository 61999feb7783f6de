package dev.portcullis.core.route;

/**
 * Puts a request path into the one canonical form that routing, authorisation and the upstream all
 * see, so no spelling of a path can reach what its route does not allow ({@code
 * /rest/api/3/issue/../../../admin}, {@code /rest/%2e%2e/admin}, {@code /rest//api}).
 *
 * <ul>
 *   <li>percent-encoded unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded; other
 *       escapes are kept, with upper-case hex
 *   <li>{@code .} and {@code ..} segments are resolved, encoded ones too; duplicate slashes merge
 *   <li>rejected: a path that climbs above the root, an encoded slash ({@code %2F}) or backslash
 *       ({@code %5C}), a raw backslash, an encoded NUL, a control character, a malformed escape
 * </ul>
 *
 * Stateless and thread-safe; a path that is already canonical is returned as the same instance.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /** Why a path was refused; the message is safe to show the client. */
  public static final class RejectedPathException extends IllegalArgumentException {
    RejectedPathException(String message) {
      super(message, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // an expected outcome of hostile input, not a bug: no trace needed
    }
  }

  /**
   * @param rawPath the path as received, starting with {@code /}, without the query
   * @throws RejectedPathException when the path must not be served
   */
  public static String normalize(String rawPath) {
    if (isCanonical(rawPath)) {
      return rawPath;
    }
    String decoded = decodeUnreserved(rawPath);
    StringBuilder out = new StringBuilder(decoded.length());
    int depth = 0;
    int i = 0;
    int n = decoded.length();
    while (i < n) {
      // at a '/': skip duplicates, then read one segment
      while (i < n && decoded.charAt(i) == '/') {
        i++;
      }
      int start = i;
      while (i < n && decoded.charAt(i) != '/') {
        i++;
      }
      if (start == i) {
        break; // trailing slash(es)
      }
      String segment = decoded.substring(start, i);
      if (segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (depth == 0) {
          throw new RejectedPathException("The request path climbs above the root.");
        }
        out.setLength(out.lastIndexOf("/"));
        depth--;
        continue;
      }
      out.append('/').append(segment);
      depth++;
    }
    boolean trailingSlash = n > 1 && decoded.charAt(n - 1) == '/' && out.length() > 0;
    if (out.length() == 0 || trailingSlash) {
      out.append('/');
    }
    return out.toString();
  }

  /** No escapes, dot segments, double slashes or forbidden characters: nothing to do. */
  private static boolean isCanonical(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw new RejectedPathException("The request path must start with /.");
    }
    char previous = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%' || c == '\\' || c < 0x21 || c == 0x7F) {
        return false;
      }
      if (c == '/' && previous == '/') {
        return false;
      }
      if (c == '.' && previous == '/') {
        int end = path.indexOf('/', i);
        String segment = path.substring(i, end < 0 ? path.length() : end);
        if (segment.equals(".") || segment.equals("..")) {
          return false;
        }
      }
      previous = c;
    }
    return true;
  }

  private static String decodeUnreserved(String path) {
    StringBuilder out = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        throw new RejectedPathException("The request path contains a backslash.");
      }
      if (c < 0x21 || c == 0x7F) {
        throw new RejectedPathException("The request path contains a control character or space.");
      }
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i + 2 >= path.length() || hex(path.charAt(i + 1)) < 0 || hex(path.charAt(i + 2)) < 0) {
        throw new RejectedPathException("The request path has a malformed percent-escape.");
      }
      int value = hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2));
      if (value == '/' || value == '\\') {
        throw new RejectedPathException("The request path contains an encoded slash or backslash.");
      }
      if (value == 0) {
        throw new RejectedPathException("The request path contains an encoded NUL.");
      }
      if (isUnreserved(value)) {
        out.append((char) value);
      } else {
        out.append('%')
            .append(Character.toUpperCase(path.charAt(i + 1)))
            .append(Character.toUpperCase(path.charAt(i + 2)));
      }
      i += 2;
    }
    return out.toString();
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
