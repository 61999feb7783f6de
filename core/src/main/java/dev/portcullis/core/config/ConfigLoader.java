package dev.portcullis.core.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Loads the configuration: built-in defaults, then the YAML file, then {@code PORTCULLIS_*}
 * environment variables, then validation of the whole. Every problem is collected and reported
 * together, one line each, naming where the value came from, the key and the reason.
 *
 * <p>Merge rules: {@code upstreams} merge by name into the built-in {@code jira} and {@code
 * confluence} pools; {@code routes}, when present, replace the built-in routes.
 */
public final class ConfigLoader {
  static final String ENV_PREFIX = "PORTCULLIS_";
  private static final Set<String> RESERVED_ENV =
      Set.of("PORTCULLIS_CONFIG", "PORTCULLIS_JAVA_OPTS", "PORTCULLIS_HOME");

  private final Map<String, String> environment;
  private final YAMLFactory yaml;

  public ConfigLoader(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    // The builder, unlike the constructor, leaves a key with no value as "" unless asked.
    this.yaml =
        YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();
  }

  /**
   * Loads {@code file}, or only defaults and environment overrides when it is null.
   *
   * @throws ConfigException listing every problem found
   */
  public GatewayConfig load(Path file) throws ConfigException {
    if (file == null) {
      return parse("", "defaults");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          List.of(file + ": cannot read the configuration file (" + describe(e) + ")"));
    }
    return parse(text, file.toString());
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "not UTF-8 text";
    }
    // Messages of file system errors name the file and the cause, never the file's content.
    return e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
  }

  /** Parses YAML text; {@code sourceName} names it in problem lines. */
  public GatewayConfig parse(String yamlText, String sourceName) throws ConfigException {
    Problems problems = new Problems(sourceName);
    ObjectNode tree = DefaultsTree.build();
    JsonNode fromFile;
    try {
      fromFile = readTree(yamlText);
    } catch (JsonProcessingException e) {
      throw new ConfigException(List.of(sourceName + ": " + yamlProblem(e)));
    } catch (IOException e) {
      throw new ConfigException(List.of(sourceName + ": invalid YAML (" + describe(e) + ")"));
    }
    if (fromFile != null && !fromFile.isNull()) {
      if (!fromFile.isObject()) {
        problems.add(
            "",
            "the document is "
                + ConfigBinder.kindOf(fromFile)
                + " (expected: a mapping of sections)");
      } else {
        checkKeys(fromFile, ConfigSchema.ROOT, "", problems);
        merge(tree, (ObjectNode) fromFile);
      }
    }
    applyEnvironment(tree, problems);
    GatewayConfig config = new ConfigBinder(problems, environment).bind(tree);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.lines());
    }
    return config;
  }

  /**
   * Reads the document into a tree whose scalars are text exactly as written. The binder parses
   * every value itself, so YAML 1.1 typing cannot slip past its checks or rewrite a value: {@code
   * yes} is not a boolean, and a secret written {@code 0123} or {@code 1e3} stays those characters
   * instead of becoming 83 or 1000.0.
   *
   * @return null for an empty document
   */
  private JsonNode readTree(String text) throws IOException {
    try (JsonParser parser = yaml.createParser(text)) {
      if (parser.nextToken() == null) {
        return null;
      }
      JsonNode root = readValue(parser);
      if (parser.nextToken() != null) {
        throw new JsonParseException(
            parser, "a second document (expected: only one)", parser.currentTokenLocation());
      }
      return root;
    }
  }

  private static JsonNode readValue(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.set(name, readValue(parser));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(readValue(parser));
        }
        return array;
      }
      case VALUE_NULL -> {
        return NullNode.getInstance();
      }
      default -> {
        // Jackson hands an alias over as its name, which would silently become the value.
        if (parser instanceof YAMLParser yamlParser && yamlParser.isCurrentAlias()) {
          throw new JsonParseException(
              parser,
              "alias *"
                  + parser.getText()
                  + " (expected: the value written out; anchors and aliases are not supported)",
              parser.currentTokenLocation());
        }
        return JsonNodeFactory.instance.textNode(parser.getText());
      }
    }
  }

  /**
   * Where and why the YAML is invalid, on one line. SnakeYAML's own message quotes the offending
   * source line, which may hold a secret, so only its context and problem phrases are kept.
   */
  private static String yamlProblem(JsonProcessingException e) {
    String reason = e.getOriginalMessage();
    if (e.getCause() instanceof MarkedYAMLException marked) {
      reason =
          marked.getContext() == null
              ? marked.getProblem()
              : marked.getContext() + ", " + marked.getProblem();
    }
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    return "invalid YAML" + where + ": " + firstLine(String.valueOf(reason));
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    return (end < 0 ? text : text.substring(0, end)).strip();
  }

  /**
   * A key written with no value ({@code upstreams:} whose entries are all commented out) counts as
   * absent, so it keeps the built-in pools and routes instead of silently dropping them; {@code
   * routes: []} is how to say "no routes".
   */
  private static void merge(ObjectNode tree, ObjectNode fromFile) {
    for (Iterator<Map.Entry<String, JsonNode>> it = fromFile.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> section = it.next();
      JsonNode existing = tree.get(section.getKey());
      if (section.getValue().isNull() && existing != null) {
        continue;
      }
      if (section.getKey().equals("upstreams")
          && existing instanceof ObjectNode defaults
          && section.getValue() instanceof ObjectNode given) {
        for (Iterator<Map.Entry<String, JsonNode>> u = given.fields(); u.hasNext(); ) {
          Map.Entry<String, JsonNode> upstream = u.next();
          JsonNode base = defaults.get(upstream.getKey());
          if (base instanceof ObjectNode baseObject
              && upstream.getValue() instanceof ObjectNode over) {
            baseObject.setAll(over);
          } else if (base == null || !upstream.getValue().isNull()) {
            defaults.set(upstream.getKey(), upstream.getValue());
          }
        }
      } else {
        tree.set(section.getKey(), section.getValue());
      }
    }
  }

  /** Reports keys the schema does not know, with the keys allowed there. */
  private static void checkKeys(
      JsonNode node, ConfigSchema schema, String path, Problems problems) {
    switch (schema.kind) {
      case OBJECT -> {
        if (!node.isObject()) {
          return; // the binder reports the wrong type
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
          String name = names.next();
          ConfigSchema child = schema.fields.get(name);
          String childPath = path.isEmpty() ? name : path + "." + name;
          if (child == null) {
            problems.add(
                childPath,
                "unknown key (expected one of: " + String.join(", ", schema.fields.keySet()) + ")");
          } else {
            checkKeys(node.get(name), child, childPath, problems);
          }
        }
      }
      case MAP -> {
        if (node.isObject()) {
          for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            checkKeys(e.getValue(), schema.element, path + "." + e.getKey(), problems);
          }
        }
      }
      case LIST -> {
        if (node.isArray()) {
          for (int i = 0; i < node.size(); i++) {
            checkKeys(node.get(i), schema.element, path + "[" + i + "]", problems);
          }
        }
      }
      case LEAF -> {}
    }
  }

  private void applyEnvironment(ObjectNode tree, Problems problems) {
    Map<String, String> sorted = new TreeMap<>(environment);
    for (Map.Entry<String, String> variable : sorted.entrySet()) {
      String name = variable.getKey();
      if (!name.startsWith(ENV_PREFIX) || RESERVED_ENV.contains(name)) {
        continue;
      }
      List<String> tokens =
          Arrays.asList(
              name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("_", -1));
      List<Object> path = resolve(ConfigSchema.ROOT, tokens, 0, tree);
      if (path == null || path.isEmpty()) {
        problems.addRaw(
            "environment "
                + name
                + ": unknown configuration key (see the configuration reference in README.md)");
        continue;
      }
      String dotted = ConfigBinder.pathText(path);
      if (!set(tree, path, variable.getValue(), problems, name)) {
        continue;
      }
      problems.attribute(dotted, "environment " + name);
    }
  }

  /** Maps env tokens onto a key path, or null when no key matches. */
  private static List<Object> resolve(
      ConfigSchema schema, List<String> tokens, int i, JsonNode current) {
    if (i == tokens.size()) {
      boolean scalar =
          schema.kind == ConfigSchema.Kind.LEAF
              || (schema.kind == ConfigSchema.Kind.LIST
                  && schema.element.kind == ConfigSchema.Kind.LEAF);
      return scalar ? new ArrayList<>() : null;
    }
    switch (schema.kind) {
      case OBJECT -> {
        for (Map.Entry<String, ConfigSchema> field : schema.fields.entrySet()) {
          List<String> fieldTokens = Arrays.asList(field.getKey().split("_"));
          if (startsWith(tokens, i, fieldTokens)) {
            JsonNode child = current == null ? null : current.get(field.getKey());
            List<Object> rest = resolve(field.getValue(), tokens, i + fieldTokens.size(), child);
            if (rest != null) {
              rest.add(0, field.getKey());
              return rest;
            }
          }
        }
        return null;
      }
      case MAP -> {
        if (schema.element.kind == ConfigSchema.Kind.LEAF) {
          // A header written X-Gateway-Secret in the file is overridden, not sent twice.
          String envForm = String.join("_", tokens.subList(i, tokens.size()));
          String key = String.join("-", tokens.subList(i, tokens.size()));
          if (current != null && current.isObject()) {
            for (Iterator<String> names = current.fieldNames(); names.hasNext(); ) {
              String existing = names.next();
              if (envName(existing).equals(envForm)) {
                key = existing;
              }
            }
          }
          List<Object> path = new ArrayList<>();
          path.add(key);
          return path;
        }
        if (current != null && current.isObject()) {
          for (Iterator<String> names = current.fieldNames(); names.hasNext(); ) {
            String existing = names.next();
            List<String> nameTokens = Arrays.asList(envName(existing).split("_"));
            if (startsWith(tokens, i, nameTokens)) {
              List<Object> rest =
                  resolve(schema.element, tokens, i + nameTokens.size(), current.get(existing));
              if (rest != null) {
                rest.add(0, existing);
                return rest;
              }
            }
          }
        }
        for (int end = i + 1; end < tokens.size(); end++) {
          List<Object> rest = resolve(schema.element, tokens, end, null);
          if (rest != null) {
            rest.add(0, String.join("_", tokens.subList(i, end)));
            return rest;
          }
        }
        return null;
      }
      case LIST -> {
        if (!tokens.get(i).matches("[0-9]{1,6}")) {
          return null;
        }
        int index = Integer.parseInt(tokens.get(i));
        JsonNode child = current == null ? null : current.get(index);
        List<Object> rest = resolve(schema.element, tokens, i + 1, child);
        if (rest != null) {
          rest.add(0, index);
        }
        return rest;
      }
      default -> {
        return null;
      }
    }
  }

  /**
   * A map key as it appears in a variable name, lower-cased: {@code billing-api} is billing_api.
   */
  private static String envName(String key) {
    return key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
  }

  private static boolean startsWith(List<String> tokens, int from, List<String> prefix) {
    if (tokens.size() - from < prefix.size()) {
      return false;
    }
    return tokens.subList(from, from + prefix.size()).equals(prefix);
  }

  private static boolean set(
      ObjectNode tree, List<Object> path, String value, Problems problems, String variable) {
    JsonNode node = tree;
    for (int i = 0; i < path.size() - 1; i++) {
      Object segment = path.get(i);
      Object next = path.get(i + 1);
      JsonNode child;
      if (segment instanceof Integer index) {
        if (!(node instanceof ArrayNode array) || index >= array.size()) {
          problems.addRaw(
              "environment "
                  + variable
                  + ": "
                  + ConfigBinder.pathText(path.subList(0, i + 1))
                  + ": no such list entry (the list has "
                  + (node == null ? 0 : node.size())
                  + ")");
          return false;
        }
        child = array.get(index);
      } else {
        if (!(node instanceof ObjectNode object)) {
          return false;
        }
        child = object.get((String) segment);
        if (child == null || child.isNull()) {
          child =
              next instanceof Integer
                  ? object.putArray((String) segment)
                  : object.putObject((String) segment);
        }
      }
      node = child;
    }
    Object leaf = path.get(path.size() - 1);
    if (!(node instanceof ObjectNode parent) || !(leaf instanceof String key)) {
      return false;
    }
    ConfigSchema leafSchema = schemaAt(path);
    if (leafSchema != null && leafSchema.kind == ConfigSchema.Kind.LIST) {
      ArrayNode list = parent.putArray(key);
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          list.add(item.trim());
        }
      }
    } else {
      parent.set(key, JsonNodeFactory.instance.textNode(value));
    }
    return true;
  }

  private static ConfigSchema schemaAt(List<Object> path) {
    ConfigSchema schema = ConfigSchema.ROOT;
    for (Object segment : path) {
      switch (schema.kind) {
        case OBJECT -> schema = schema.fields.get((String) segment);
        case MAP, LIST -> schema = schema.element;
        default -> {
          return null;
        }
      }
      if (schema == null) {
        return null;
      }
    }
    return schema;
  }

  /** The built-in upstreams and routes as a tree, so the file and env merge onto them. */
  static final class DefaultsTree {
    private DefaultsTree() {}

    static ObjectNode build() {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.putObject("server");
      root.putObject("admin");
      ObjectNode upstreams = root.putObject("upstreams");
      for (UpstreamConfig upstream : GatewayConfig.defaultUpstreams().values()) {
        ArrayNode targets = upstreams.putObject(upstream.name()).putArray("targets");
        for (URI target : upstream.targets()) {
          targets.add(target.toString());
        }
      }
      ArrayNode routes = root.putArray("routes");
      for (RouteConfig route : GatewayConfig.defaultRoutes()) {
        ObjectNode r = routes.addObject();
        r.put("name", route.name());
        r.putObject("match").put("path", route.path());
        r.put("upstream", route.upstream());
      }
      return root;
    }
  }
}
