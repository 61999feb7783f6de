package dev.portcullis.proxy.compression;

import java.util.List;

/**
 * Matches a Content-Type header against configured media types ({@code type/subtype}, {@code
 * type/*}, {@code type/*+suffix}, {@code *} for any type), ignoring case and parameters, without
 * allocating. Immutable.
 */
final class MediaTypes {
  private final String[] types; // null: any type
  private final String[] subtypes; // null: any subtype
  private final String[] suffixes; // "+json" for "*+json", else null

  MediaTypes(List<String> patterns) {
    int n = patterns.size();
    types = new String[n];
    subtypes = new String[n];
    suffixes = new String[n];
    for (int i = 0; i < n; i++) {
      String p = patterns.get(i);
      int slash = p.indexOf('/');
      String type = p.substring(0, slash);
      String subtype = p.substring(slash + 1);
      types[i] = type.equals("*") ? null : type;
      if (subtype.startsWith("*+")) {
        suffixes[i] = subtype.substring(1);
      } else if (!subtype.equals("*")) {
        subtypes[i] = subtype;
      }
    }
  }

  boolean matches(String contentType) {
    if (contentType == null) {
      return false;
    }
    int start = 0;
    int end = contentType.length();
    while (start < end && contentType.charAt(start) == ' ') {
      start++;
    }
    int slash = contentType.indexOf('/', start);
    if (slash < 0) {
      return false;
    }
    int stop = slash + 1;
    while (stop < end) {
      char c = contentType.charAt(stop);
      if (c == ';' || c == ' ' || c == '\t') {
        break;
      }
      stop++;
    }
    int typeLength = slash - start;
    int subStart = slash + 1;
    int subLength = stop - subStart;
    for (int i = 0; i < types.length; i++) {
      String type = types[i];
      if (type != null
          && (type.length() != typeLength
              || !contentType.regionMatches(true, start, type, 0, typeLength))) {
        continue;
      }
      String subtype = subtypes[i];
      String suffix = suffixes[i];
      if (subtype != null) {
        if (subtype.length() == subLength
            && contentType.regionMatches(true, subStart, subtype, 0, subLength)) {
          return true;
        }
      } else if (suffix != null) {
        if (subLength > suffix.length()
            && contentType.regionMatches(
                true, stop - suffix.length(), suffix, 0, suffix.length())) {
          return true;
        }
      } else {
        return true;
      }
    }
    return false;
  }
}
