package dev.portcullis.core.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Collects problem lines, each prefixed with where its value came from (file or variable). */
final class Problems {
  private final String defaultSource;
  private final Map<String, String> sourceByPath = new HashMap<>();
  private final List<String> lines = new ArrayList<>();

  Problems(String defaultSource) {
    this.defaultSource = defaultSource;
  }

  /** Values at {@code path} (and below it) came from {@code source}. */
  void attribute(String path, String source) {
    sourceByPath.put(path, source);
  }

  void add(String path, String reason) {
    String source = defaultSource;
    for (String p = path; ; ) {
      String s = sourceByPath.get(p);
      if (s != null) {
        source = s;
        break;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) {
        break;
      }
      p = p.substring(0, cut);
    }
    lines.add(source + ": " + (path.isEmpty() ? "" : path + ": ") + reason);
  }

  void addRaw(String line) {
    lines.add(line);
  }

  /** How many problems so far; a section compares counts to see whether it added any. */
  int count() {
    return lines.size();
  }

  boolean isEmpty() {
    return lines.isEmpty();
  }

  List<String> lines() {
    return List.copyOf(lines);
  }
}
