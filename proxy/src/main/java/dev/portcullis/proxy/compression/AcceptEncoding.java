package dev.portcullis.proxy.compression;

import java.util.List;

/**
 * Chooses a content coding from an Accept-Encoding header (RFC 9110 §12.5.3): each offered coding
 * gets the weight the client gave it, or the weight of {@code *} when it is not named, or 0; the
 * heaviest coding with a weight above 0 wins, ties going to the gateway's order of preference.
 * {@code x-gzip} counts as {@code gzip}. A malformed weight makes its coding unacceptable.
 *
 * <p>Parses in place without allocating. Immutable, so any thread may use it.
 */
final class AcceptEncoding {
  private static final int UNSET = -1;

  private final String[] offered;

  AcceptEncoding(String[] offered) {
    this.offered = offered.clone();
  }

  List<String> offered() {
    return List.of(offered);
  }

  /** The chosen coding, or null when none of the offered ones is acceptable. */
  String choose(String header) {
    if (header == null || offered.length == 0) {
      return null;
    }
    // Weights in thousandths, per offered coding; at most a handful, so no array is kept.
    int w0 = UNSET;
    int w1 = UNSET;
    int w2 = UNSET;
    int star = UNSET;
    int i = 0;
    int n = header.length();
    while (i < n) {
      while (i < n
          && (header.charAt(i) == ' ' || header.charAt(i) == '\t' || header.charAt(i) == ',')) {
        i++;
      }
      int tokenStart = i;
      while (i < n && !isDelimiter(header.charAt(i))) {
        i++;
      }
      int tokenEnd = i;
      int weight = 1000;
      while (i < n && header.charAt(i) != ',') {
        if (header.charAt(i) == ';') {
          i++;
          while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
            i++;
          }
          if (i + 1 < n
              && (header.charAt(i) == 'q' || header.charAt(i) == 'Q')
              && header.charAt(i + 1) == '=') {
            int valueStart = i + 2;
            int valueEnd = valueStart;
            while (valueEnd < n && !isDelimiter(header.charAt(valueEnd))) {
              valueEnd++;
            }
            weight = parseWeight(header, valueStart, valueEnd);
            i = valueEnd;
            continue;
          }
        }
        i++;
      }
      if (tokenEnd == tokenStart) {
        continue;
      }
      if (tokenEnd - tokenStart == 1 && header.charAt(tokenStart) == '*') {
        star = Math.max(star, weight);
        continue;
      }
      for (int k = 0; k < offered.length && k < 3; k++) {
        if (named(header, tokenStart, tokenEnd, offered[k])) {
          if (k == 0) {
            w0 = Math.max(w0, weight);
          } else if (k == 1) {
            w1 = Math.max(w1, weight);
          } else {
            w2 = Math.max(w2, weight);
          }
        }
      }
    }
    String best = null;
    int bestWeight = 0;
    for (int k = 0; k < offered.length && k < 3; k++) {
      int w = k == 0 ? w0 : k == 1 ? w1 : w2;
      if (w == UNSET) {
        w = star == UNSET ? 0 : star;
      }
      if (w > bestWeight) {
        best = offered[k];
        bestWeight = w;
      }
    }
    return best;
  }

  private static boolean isDelimiter(char c) {
    return c == ',' || c == ';' || c == ' ' || c == '\t';
  }

  private static boolean named(String header, int start, int end, String coding) {
    int length = end - start;
    if (length == coding.length() && header.regionMatches(true, start, coding, 0, length)) {
      return true;
    }
    return coding.equals("gzip")
        && length == 6
        && header.regionMatches(true, start, "x-gzip", 0, 6);
  }

  /** A qvalue ({@code 0}, {@code 0.5}, {@code 1.000}) in thousandths; 0 when malformed. */
  static int parseWeight(String s, int start, int end) {
    if (start >= end) {
      return 0;
    }
    char first = s.charAt(start);
    if (first != '0' && first != '1') {
      return 0;
    }
    int value = (first - '0') * 1000;
    if (end == start + 1) {
      return value;
    }
    if (s.charAt(start + 1) != '.' || end - start > 5) {
      return 0;
    }
    int scale = 100;
    for (int i = start + 2; i < end; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      value += (c - '0') * scale;
      scale /= 10;
    }
    return value > 1000 ? 0 : value;
  }
}
