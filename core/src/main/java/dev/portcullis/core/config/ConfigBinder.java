package dev.portcullis.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.core.net.Cidr;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the merged configuration tree into the immutable records, reporting every bad value with
 * its key and what was expected instead of stopping at the first. A secret's value never appears in
 * a problem line.
 */
final class ConfigBinder {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");
  private static final Pattern HTTP_TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  final Problems problems;
  private final Map<String, String> environment;

  ConfigBinder(Problems problems, Map<String, String> environment) {
    this.problems = problems;
    this.environment = environment;
  }

  static String pathText(List<Object> path) {
    StringBuilder text = new StringBuilder();
    for (Object segment : path) {
      if (segment instanceof Integer index) {
        text.append('[').append(index).append(']');
      } else {
        if (text.length() > 0) {
          text.append('.');
        }
        text.append(segment);
      }
    }
    return text.toString();
  }

  static String kindOf(JsonNode node) {
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isNull()) {
      return "empty";
    }
    return "'" + node.asText() + "'";
  }

  GatewayConfig bind(JsonNode root) {
    ServerConfig server = server(section(root, "server"));
    AdminConfig admin = admin(section(root, "admin"));
    JsonNode upstreamsNode = section(root, "upstreams");
    Map<String, UpstreamConfig> upstreams = upstreams(upstreamsNode);
    // Routes are checked against every declared upstream, so one bad upstream is one problem line.
    Set<String> declared = new java.util.LinkedHashSet<>();
    upstreamsNode.fieldNames().forEachRemaining(declared::add);
    List<RouteConfig> routes = routes(root.get("routes"), declared);
    RateLimitsConfig rateLimits = rateLimits(section(root, "rate_limits"), routes);
    AccessLogConfig accessLog = accessLog(section(root, "access_log"));
    AuditLogConfig auditLog = auditLog(section(root, "audit_log"));
    JsonNode authNode = section(root, "auth");
    AuthConfig auth =
        new AuthConfig(
            ApiKeysBinding.bind(this, section(authNode, "api_keys")),
            JwtBinding.bind(this, section(authNode, "jwt")),
            AccessControlBinding.bind(this, section(authNode, "access")));
    CacheConfig cache = CacheBinding.bind(this, section(root, "cache"), routes);
    if (!problems.isEmpty()) {
      return null;
    }
    return build(
        "",
        () ->
            new GatewayConfig(
                server, admin, upstreams, routes, rateLimits, accessLog, auditLog, auth, cache));
  }

  interface Builder<T> {
    T build();
  }

  /** Runs a record constructor; its invariant message becomes a problem instead of a crash. */
  <T> T build(String path, Builder<T> builder) {
    try {
      return builder.build();
    } catch (IllegalArgumentException | NullPointerException e) {
      problems.add(path, String.valueOf(e.getMessage()));
      return null;
    }
  }

  JsonNode section(JsonNode parent, String key) {
    JsonNode node = parent.get(key);
    if (node == null || node.isNull()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    if (!node.isObject()) {
      problems.add(key, kindOf(node) + " (expected: a mapping)");
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    return node;
  }

  private ServerConfig server(JsonNode node) {
    ServerConfig d = ServerConfig.DEFAULTS;
    String address = string(node, "server.address", "address", d.address());
    int port = port(node, "server.port", d.port());
    int workers =
        integer(node, "server.worker_threads", "worker_threads", d.workerThreads(), 0, 4096);
    SocketTransport transport = socketTransport(node, d.transport());
    Duration drain =
        duration(node, "server.drain_timeout", "drain_timeout", d.drainTimeout(), true);
    List<Cidr> trusted = cidrs(node, "server.trusted_proxies", "trusted_proxies");
    JsonNode limitsNode = node.isObject() && node.has("limits") ? node.get("limits") : null;
    ServerLimits limits = ServerLimits.DEFAULTS;
    if (limitsNode != null && !limitsNode.isNull()) {
      if (!limitsNode.isObject()) {
        problems.add("server.limits", kindOf(limitsNode) + " (expected: a mapping)");
      } else {
        int line =
            size(
                limitsNode,
                "server.limits.max_initial_line_bytes",
                "max_initial_line_bytes",
                limits.maxInitialLineBytes());
        int header =
            size(
                limitsNode,
                "server.limits.max_header_bytes",
                "max_header_bytes",
                limits.maxHeaderBytes());
        Duration idle =
            duration(
                limitsNode,
                "server.limits.idle_timeout",
                "idle_timeout",
                limits.idleTimeout(),
                false);
        ServerLimits dl = ServerLimits.DEFAULTS;
        int maxHeaders =
            integer(
                limitsNode, "server.limits.max_headers", "max_headers", dl.maxHeaders(), 1, 10_000);
        long maxBody =
            size(
                limitsNode,
                "server.limits.max_body_bytes",
                "max_body_bytes",
                (int) dl.maxBodyBytes());
        int maxConnections =
            integer(
                limitsNode,
                "server.limits.max_connections",
                "max_connections",
                dl.maxConnections(),
                1,
                10_000_000);
        Duration headersTimeout =
            duration(
                limitsNode,
                "server.limits.request_headers_timeout",
                "request_headers_timeout",
                dl.requestHeadersTimeout(),
                false);
        Duration requestTimeout =
            duration(
                limitsNode,
                "server.limits.request_timeout",
                "request_timeout",
                dl.requestTimeout(),
                true);
        ServerLimits built =
            build(
                "server.limits",
                () ->
                    new ServerLimits(
                        line,
                        header,
                        idle,
                        maxHeaders,
                        maxBody,
                        maxConnections,
                        headersTimeout,
                        requestTimeout));
        limits = built == null ? ServerLimits.DEFAULTS : built;
      }
    }
    ServerLimits finalLimits = limits;
    EdgeSecurityConfig security = security(node.isObject() ? node.get("security") : null);
    ServerTlsConfig tls =
        ProtocolsBinding.serverTls(this, ProtocolsBinding.section(this, node, "tls", "server.tls"));
    Http2Config http2 =
        ProtocolsBinding.http2(this, ProtocolsBinding.section(this, node, "http2", "server.http2"));
    CompressionConfig compression =
        CompressionBinding.bind(this, node.isObject() ? node.get("compression") : null);
    ServerConfig built =
        build(
            "server",
            () ->
                new ServerConfig(
                    address,
                    port,
                    workers,
                    transport,
                    finalLimits,
                    drain,
                    trusted,
                    security,
                    tls,
                    http2,
                    compression));
    return built == null ? ServerConfig.DEFAULTS : built;
  }

  private EdgeSecurityConfig security(JsonNode node) {
    if (node == null || node.isNull()) {
      return EdgeSecurityConfig.DEFAULTS;
    }
    if (!node.isObject()) {
      problems.add("server.security", kindOf(node) + " (expected: a mapping)");
      return EdgeSecurityConfig.DEFAULTS;
    }
    EdgeSecurityConfig.SecurityHeaders d = EdgeSecurityConfig.SecurityHeaders.DEFAULTS;
    EdgeSecurityConfig.SecurityHeaders headers = d;
    JsonNode h = node.get("headers");
    if (h != null && !h.isNull()) {
      if (!h.isObject()) {
        problems.add("server.security.headers", kindOf(h) + " (expected: a mapping)");
      } else {
        String at = "server.security.headers.";
        headers =
            new EdgeSecurityConfig.SecurityHeaders(
                bool(h, at + "enabled", "enabled", d.enabled()),
                headerValue(h, at, "content_security_policy", d.contentSecurityPolicy()),
                headerValue(h, at, "frame_options", d.frameOptions()),
                headerValue(h, at, "referrer_policy", d.referrerPolicy()),
                headerValue(h, at, "strict_transport_security", d.strictTransportSecurity()));
      }
    }
    List<Cidr> allow = cidrs(node, "server.security.ip_allow", "ip_allow");
    List<Cidr> deny = cidrs(node, "server.security.ip_deny", "ip_deny");
    List<String> hosts = strings(node, "server.security.allowed_hosts", "allowed_hosts");
    for (int i = 0; i < hosts.size(); i++) {
      if (!hosts.get(i).matches("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]")) {
        problems.add(
            "server.security.allowed_hosts[" + i + "]",
            "'" + hosts.get(i) + "' (expected: a host name such as jira.example.com, no port)");
      }
    }
    EdgeSecurityConfig.SecurityHeaders finalHeaders = headers;
    EdgeSecurityConfig built =
        build("server.security", () -> new EdgeSecurityConfig(finalHeaders, allow, deny, hosts));
    return built == null ? EdgeSecurityConfig.DEFAULTS : built;
  }

  /** A response header value: printable ASCII only, so nothing can split the response. */
  private String headerValue(JsonNode node, String at, String key, String fallback) {
    String value = string(node, at + key, key, fallback);
    if (!value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7F))) {
      problems.add(at + key, "'" + value + "' (expected: printable ASCII text)");
      return fallback;
    }
    return value;
  }

  List<Cidr> cidrs(JsonNode node, String path, String key) {
    List<Cidr> out = new ArrayList<>();
    List<String> texts = strings(node, path, key);
    for (int i = 0; i < texts.size(); i++) {
      try {
        out.add(Cidr.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        problems.add(path + "[" + i + "]", e.getMessage());
      }
    }
    return out;
  }

  private AdminConfig admin(JsonNode node) {
    String address = string(node, "admin.address", "address", AdminConfig.DEFAULTS.address());
    int port = port(node, "admin.port", AdminConfig.DEFAULTS.port());
    AdminConfig built = build("admin", () -> new AdminConfig(address, port));
    return built == null ? AdminConfig.DEFAULTS : built;
  }

  private AccessLogConfig accessLog(JsonNode node) {
    AccessLogConfig d = AccessLogConfig.DEFAULTS;
    boolean enabled = bool(node, "access_log.enabled", "enabled", d.enabled());
    String text = string(node, "access_log.destination", "destination", null);
    AccessLogConfig.Destination destination = d.destination();
    if (text != null) {
      destination = null;
      for (AccessLogConfig.Destination candidate : AccessLogConfig.Destination.values()) {
        if (candidate.yamlName().equals(text)) {
          destination = candidate;
        }
      }
      if (destination == null) {
        problems.add("access_log.destination", "'" + text + "' (expected: stdout or file)");
        return d;
      }
    }
    String pathText = string(node, "access_log.path", "path", null);
    Path path = null;
    if (pathText != null) {
      try {
        path = Path.of(pathText);
      } catch (java.nio.file.InvalidPathException e) {
        problems.add("access_log.path", "'" + pathText + "' (expected: a file path)");
        return d;
      }
    }
    if (destination == AccessLogConfig.Destination.FILE && (path == null || pathText.isBlank())) {
      problems.add("access_log.path", "missing (expected: a file path when destination is file)");
      return d;
    }
    AccessLogConfig.Destination finalDestination = destination;
    Path finalPath = path;
    AccessLogConfig built =
        build("access_log", () -> new AccessLogConfig(enabled, finalDestination, finalPath));
    return built == null ? d : built;
  }

  private AuditLogConfig auditLog(JsonNode node) {
    AuditLogConfig d = AuditLogConfig.DEFAULTS;
    int problemsBefore = problems.count();
    String text = string(node, "audit_log.destination", "destination", null);
    AuditLogConfig.Destination destination = d.destination();
    if (text != null) {
      destination = null;
      for (AuditLogConfig.Destination candidate : AuditLogConfig.Destination.values()) {
        if (candidate.yamlName().equals(text)) {
          destination = candidate;
        }
      }
      if (destination == null) {
        problems.add("audit_log.destination", "'" + text + "' (expected: stdout or file)");
      }
    }
    boolean pathGiven = node.hasNonNull("path");
    Path path = filePath(node, "audit_log.path", "path");
    Path spool = filePath(node, "audit_log.spool_path", "spool_path");
    if (destination == AuditLogConfig.Destination.FILE && !pathGiven) {
      problems.add("audit_log.path", "missing (expected: a file path when destination is file)");
    }
    if (spool != null && spool.equals(path)) {
      problems.add(
          "audit_log.spool_path", "'" + spool + "' (expected: a file other than audit_log.path)");
    }
    if (problems.count() > problemsBefore) {
      return d;
    }
    AuditLogConfig.Destination finalDestination = destination;
    AuditLogConfig built =
        build("audit_log", () -> new AuditLogConfig(finalDestination, path, spool));
    return built == null ? d : built;
  }

  /** A non-blank file path, or null when absent or invalid (reported). */
  Path filePath(JsonNode node, String at, String key) {
    String text = string(node, at, key, null);
    if (text == null) {
      return null;
    }
    try {
      if (!text.isBlank()) {
        return Path.of(text);
      }
    } catch (java.nio.file.InvalidPathException e) {
      // reported below
    }
    problems.add(at, "'" + text + "' (expected: a file path)");
    return null;
  }

  private Map<String, UpstreamConfig> upstreams(JsonNode node) {
    Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      String at = "upstreams." + name;
      JsonNode u = entry.getValue();
      if (!u.isObject()) {
        problems.add(at, kindOf(u) + " (expected: a mapping with at least targets)");
        continue;
      }
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
        problems.add(at, "'" + name + "' (expected: a name of letters, digits, '-' and '_')");
      }
      List<URI> targets = new ArrayList<>();
      if (!u.has("targets")) {
        problems.add(
            at + ".targets",
            "missing (expected: a list of target URLs such as http://10.0.0.5:8080)");
      } else {
        List<String> raw = strings(u, at + ".targets", "targets");
        if (raw.isEmpty() && u.get("targets").isArray()) {
          problems.add(at + ".targets", "[] (expected: at least one target URL)");
        }
        for (int i = 0; i < raw.size(); i++) {
          URI target = targetUrl(at + ".targets[" + i + "]", raw.get(i));
          if (target != null) {
            targets.add(target);
          }
        }
      }
      Duration connect =
          duration(
              u,
              at + ".connect_timeout",
              "connect_timeout",
              UpstreamConfig.DEFAULT_CONNECT_TIMEOUT,
              false);
      Duration response =
          duration(
              u,
              at + ".response_timeout",
              "response_timeout",
              UpstreamConfig.DEFAULT_RESPONSE_TIMEOUT,
              false);
      int maxConnections =
          integer(
              u,
              at + ".max_connections_per_target",
              "max_connections_per_target",
              UpstreamConfig.DEFAULT_MAX_CONNECTIONS_PER_TARGET,
              1,
              1_000_000);
      int maxPending =
          integer(
              u,
              at + ".max_pending_requests",
              "max_pending_requests",
              UpstreamConfig.DEFAULT_MAX_PENDING_REQUESTS,
              0,
              10_000_000);
      Duration idle =
          duration(
              u, at + ".idle_timeout", "idle_timeout", UpstreamConfig.DEFAULT_IDLE_TIMEOUT, false);
      LoadBalancing balancing = loadBalancing(u, at + ".load_balancing");
      boolean preserveHost = bool(u, at + ".preserve_host", "preserve_host", false);
      Map<String, Secret> headers = requestHeaders(u, at + ".request_headers");
      CircuitBreakerConfig breaker = ResilienceBinding.circuitBreaker(this, u, at);
      HealthCheckConfig healthCheck = ResilienceBinding.healthCheck(this, u, at);
      OutlierDetectionConfig outliers = ResilienceBinding.outlierDetection(this, u, at);
      RetryConfig retry = ResilienceBinding.retry(this, u, at);
      UpstreamTlsConfig tls =
          ProtocolsBinding.upstreamTls(
              this, ProtocolsBinding.section(this, u, "tls", at + ".tls"), at);
      if (!targets.isEmpty()) {
        UpstreamConfig built =
            build(
                at,
                () ->
                    new UpstreamConfig(
                        name,
                        targets,
                        connect,
                        response,
                        maxConnections,
                        maxPending,
                        idle,
                        balancing,
                        preserveHost,
                        headers,
                        breaker,
                        healthCheck,
                        outliers,
                        retry,
                        tls));
        if (built != null) {
          upstreams.put(name, built);
        }
      }
    }
    return upstreams;
  }

  private URI targetUrl(String path, String text) {
    String expected =
        " (expected: an absolute http:// or https:// URL such as http://10.0.0.5:8080)";
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      problems.add(path, "'" + text + "'" + expected);
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean pathOk =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getPort() == 0
        || uri.getPort() > 65535
        || !pathOk) {
      problems.add(path, "'" + text + "'" + expected);
      return null;
    }
    return uri;
  }

  private SocketTransport socketTransport(JsonNode server, SocketTransport fallback) {
    String text = string(server, "server.transport", "transport", null);
    if (text == null) {
      return fallback;
    }
    SocketTransport transport = SocketTransport.fromYaml(text);
    if (transport == null) {
      problems.add("server.transport", "'" + text + "' (expected: auto, io_uring, epoll or nio)");
      return fallback;
    }
    return transport;
  }

  private LoadBalancing loadBalancing(JsonNode u, String path) {
    String text = string(u, path, "load_balancing", null);
    if (text == null) {
      return LoadBalancing.ROUND_ROBIN;
    }
    for (LoadBalancing lb : LoadBalancing.values()) {
      if (lb.yamlName().equals(text)) {
        return lb;
      }
    }
    problems.add(path, "'" + text + "' (expected: round_robin or least_request)");
    return LoadBalancing.ROUND_ROBIN;
  }

  private Map<String, Secret> requestHeaders(JsonNode u, String path) {
    JsonNode node = u.get("request_headers");
    Map<String, Secret> headers = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return headers;
    }
    if (!node.isObject()) {
      problems.add(path, "a value of the wrong type (expected: a mapping of header name to value)");
      return headers;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      String at = path + "." + h.getKey();
      if (!HTTP_TOKEN.matcher(h.getKey()).matches()) {
        problems.add(at, "not a valid header name");
        continue;
      }
      Secret secret = secret(at, h.getValue());
      if (secret != null) {
        headers.put(h.getKey(), secret);
      }
    }
    return headers;
  }

  /** Resolves a literal, {@code ${ENV_VAR}} or {@code file:/path}; never echoes the value. */
  Secret secret(String path, JsonNode node) {
    if (node == null || !node.isValueNode() || node.isNull()) {
      problems.add(
          path, "a value of the wrong type (expected: a text secret, ${ENV_VAR} or file:/path)");
      return null;
    }
    String text = node.asText();
    Matcher env = ENV_REFERENCE.matcher(text);
    if (env.matches()) {
      String value = environment.get(env.group(1));
      if (value == null) {
        problems.add(path, "environment variable " + env.group(1) + " is not set");
        return null;
      }
      return Secret.of(value);
    }
    if (text.startsWith("file:")) {
      Path file = Path.of(text.substring("file:".length()));
      try {
        String value = Files.readString(file, StandardCharsets.UTF_8);
        return Secret.of(
            value.endsWith("\n") ? value.substring(0, value.length() - 1).stripTrailing() : value);
      } catch (IOException e) {
        problems.add(
            path, "secret file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        return null;
      }
    }
    return Secret.of(text);
  }

  private List<RouteConfig> routes(JsonNode node, Set<String> upstreamNames) {
    List<RouteConfig> routes = new ArrayList<>();
    if (node == null || node.isNull()) {
      return routes;
    }
    if (!node.isArray()) {
      problems.add("routes", kindOf(node) + " (expected: a list of routes)");
      return routes;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "routes[" + i + "]";
      JsonNode r = node.get(i);
      if (!r.isObject()) {
        problems.add(at, kindOf(r) + " (expected: a mapping with name, match and upstream)");
        continue;
      }
      String name = required(r, at, "name");
      if (name != null && !names.add(name)) {
        problems.add(
            at + ".name",
            "'" + name + "' is used by an earlier route (expected: unique route names)");
      }
      String upstream = required(r, at, "upstream");
      if (upstream != null && !upstreamNames.contains(upstream)) {
        problems.add(
            at + ".upstream",
            "'" + upstream + "' (expected: one of the configured upstreams " + upstreamNames + ")");
      }
      JsonNode match = r.get("match");
      String path = null;
      String prefix = null;
      String host = null;
      List<String> methods = List.of();
      if (match == null || match.isNull()) {
        problems.add(at + ".match", "missing (expected: a mapping with path or path_prefix)");
      } else if (!match.isObject()) {
        problems.add(
            at + ".match", kindOf(match) + " (expected: a mapping with path or path_prefix)");
      } else {
        path = absolutePath(match, at + ".match.path", "path");
        prefix = absolutePath(match, at + ".match.path_prefix", "path_prefix");
        if ((path == null) == (prefix == null) && !problemsMentioned(match)) {
          problems.add(
              at + ".match",
              (path == null ? "neither" : "both")
                  + " of path and path_prefix (expected: exactly one)");
        }
        host = string(match, at + ".match.host", "host", null);
        methods = strings(match, at + ".match.methods", "methods");
        for (int m = 0; m < methods.size(); m++) {
          if (!HTTP_TOKEN.matcher(methods.get(m)).matches()
              || !methods.get(m).equals(methods.get(m).toUpperCase(Locale.ROOT))) {
            problems.add(
                at + ".match.methods[" + m + "]",
                "'" + methods.get(m) + "' (expected: an upper-case HTTP method such as GET)");
          }
        }
      }
      String strip = absolutePath(r, at + ".strip_prefix", "strip_prefix");
      String add = absolutePath(r, at + ".add_prefix", "add_prefix");
      Duration timeout = duration(r, at + ".response_timeout", "response_timeout", null, false);
      boolean accessLog = bool(r, at + ".access_log", "access_log", true);
      RouteAuth auth = routeAuth(section(r, "auth"), at + ".auth");
      RouteEdgePolicy edge = routeEdge(r, at);
      if (name == null || upstream == null || (path == null) == (prefix == null)) {
        continue;
      }
      String fPath = path;
      String fPrefix = prefix;
      String fHost = host;
      List<String> fMethods = methods;
      RouteConfig built =
          build(
              at,
              () ->
                  new RouteConfig(
                      name, fPath, fPrefix, fHost, fMethods, upstream, strip, add, timeout,
                      accessLog, auth, edge));
      if (built != null) {
        routes.add(built);
      }
    }
    return routes;
  }

  private RouteAuth routeAuth(JsonNode node, String at) {
    RouteAuth d = RouteAuth.REQUIRED;
    boolean anonymous = bool(node, at + ".anonymous", "anonymous", d.anonymous());
    List<String> methods =
        node.has("methods") ? strings(node, at + ".methods", "methods") : d.methods();
    for (int m = 0; m < methods.size(); m++) {
      if (!RouteAuth.KNOWN_METHODS.contains(methods.get(m))) {
        problems.add(
            at + ".methods[" + m + "]",
            "'" + methods.get(m) + "' (expected: one of " + RouteAuth.KNOWN_METHODS + ")");
        return d;
      }
    }
    if (methods.isEmpty()) {
      problems.add(
          at + ".methods", "[] (expected: at least one of " + RouteAuth.KNOWN_METHODS + ")");
      return d;
    }
    return new RouteAuth(methods, anonymous);
  }

  /** A route's {@code limits}, {@code ip_allow} and {@code ip_deny}; absent ones inherit. */
  private RouteEdgePolicy routeEdge(JsonNode r, String at) {
    Long maxBody = null;
    Duration requestTimeout = null;
    JsonNode limits = r.get("limits");
    if (limits != null && !limits.isNull()) {
      if (!limits.isObject()) {
        problems.add(at + ".limits", kindOf(limits) + " (expected: a mapping)");
      } else {
        if (limits.hasNonNull("max_body_bytes")) {
          String text = limits.get("max_body_bytes").asText().trim();
          maxBody =
              text.equals("0")
                  ? 0L
                  : (long) size(limits, at + ".limits.max_body_bytes", "max_body_bytes", -1);
          if (maxBody < 0) {
            maxBody = null;
          }
        }
        requestTimeout =
            duration(limits, at + ".limits.request_timeout", "request_timeout", null, true);
      }
    }
    List<Cidr> allow = cidrs(r, at + ".ip_allow", "ip_allow");
    List<Cidr> deny = cidrs(r, at + ".ip_deny", "ip_deny");
    if (maxBody == null && requestTimeout == null && allow.isEmpty() && deny.isEmpty()) {
      return RouteEdgePolicy.INHERIT;
    }
    return new RouteEdgePolicy(maxBody, requestTimeout, allow, deny);
  }

  private RateLimitsConfig rateLimits(JsonNode node, List<RouteConfig> routes) {
    RateLimitsConfig.Redis redis = redis(node.get("redis"));
    Map<String, RateSpec> defaults = new LinkedHashMap<>(RateLimitsConfig.DEFAULT_KEY_TYPE_LIMITS);
    JsonNode typeDefaults = node.get("key_type_defaults");
    if (typeDefaults != null && !typeDefaults.isNull()) {
      if (!typeDefaults.isObject()) {
        problems.add(
            "rate_limits.key_type_defaults",
            kindOf(typeDefaults) + " (expected: a mapping of key type to limit)");
      } else {
        for (Iterator<String> it = typeDefaults.fieldNames(); it.hasNext(); ) {
          String type = it.next();
          String at = "rate_limits.key_type_defaults." + type;
          if (!Set.of("user", "service", "admin", "legacy").contains(type)) {
            problems.add(at, "unknown key type (expected one of: user, service, admin, legacy)");
            continue;
          }
          RateSpec rate = rate(typeDefaults, at, type);
          if (rate != null) {
            defaults.put(type, rate);
          }
        }
      }
    }
    Set<String> routeNames = new HashSet<>();
    routes.forEach(r -> routeNames.add(r.name()));
    List<RateLimitsConfig.Policy> policies = new ArrayList<>();
    JsonNode list = node.get("policies");
    if (list != null && !list.isNull() && !list.isArray()) {
      problems.add("rate_limits.policies", kindOf(list) + " (expected: a list of policies)");
    } else if (list != null) {
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        RateLimitsConfig.Policy policy =
            policy(
                list.get(i),
                "rate_limits.policies[" + i + "]",
                node.hasNonNull("redis"),
                routeNames);
        if (policy != null && !names.add(policy.name())) {
          problems.add(
              "rate_limits.policies[" + i + "].name",
              "'"
                  + policy.name()
                  + "' is used by an earlier policy (expected: unique policy names)");
        } else if (policy != null) {
          policies.add(policy);
        }
      }
    }
    return build("rate_limits", () -> new RateLimitsConfig(redis, defaults, policies));
  }

  private RateLimitsConfig.Policy policy(
      JsonNode p, String at, boolean redisConfigured, Set<String> routeNames) {
    if (!p.isObject()) {
      problems.add(at, kindOf(p) + " (expected: a mapping with name, key and limit)");
      return null;
    }
    String name = required(p, at, "name");
    String keyText = required(p, at, "key");
    List<RateLimitsConfig.KeyPart> key = new ArrayList<>();
    if (keyText != null) {
      for (String part : keyText.split("\\+")) {
        RateLimitsConfig.KeyPart found = null;
        for (RateLimitsConfig.KeyPart candidate : RateLimitsConfig.KeyPart.values()) {
          if (candidate.yamlName().equals(part.trim())) {
            found = candidate;
          }
        }
        if (found == null) {
          problems.add(
              at + ".key",
              "'"
                  + keyText
                  + "' (expected: principal, api_key, tenant, client_ip or route, or a combination such as tenant+route)");
          key.clear();
          break;
        }
        key.add(found);
      }
    }
    RateLimitsConfig.Algorithm algorithm = RateLimitsConfig.Algorithm.TOKEN_BUCKET;
    String algorithmText = string(p, at + ".algorithm", "algorithm", null);
    if (algorithmText != null) {
      algorithm = null;
      for (RateLimitsConfig.Algorithm candidate : RateLimitsConfig.Algorithm.values()) {
        if (candidate.yamlName().equals(algorithmText)) {
          algorithm = candidate;
        }
      }
      if (algorithm == null) {
        problems.add(
            at + ".algorithm",
            "'"
                + algorithmText
                + "' (expected: token_bucket, sliding_window, sliding_log or fixed_window)");
      }
    }
    RateSpec limit = null;
    if (p.get("limit") == null || p.get("limit").isNull()) {
      problems.add(at + ".limit", "missing (expected: <count>/<period> such as 1000/hour)");
    } else {
      limit = rate(p, at + ".limit", "limit");
    }
    if (limit != null && algorithm != null) {
      long most = RateLimitsConfig.maxPermits(algorithm, limit);
      if (limit.permits() > most) {
        problems.add(
            at + ".limit",
            "'"
                + limit
                + "' (expected: at most "
                + most
                + " per period for "
                + algorithm.yamlName()
                + ")");
        limit = null;
      }
    }
    long burst = integer(p, at + ".burst", "burst", 0, 0, Integer.MAX_VALUE);
    RateLimitsConfig.Scope scope = RateLimitsConfig.Scope.LOCAL;
    String scopeText = string(p, at + ".scope", "scope", null);
    if (scopeText != null) {
      if (scopeText.equals("cluster")) {
        scope = RateLimitsConfig.Scope.CLUSTER;
        if (!redisConfigured) {
          problems.add(
              at + ".scope", "cluster (expected: local, or a Redis in rate_limits.redis.uri)");
        }
      } else if (!scopeText.equals("local")) {
        problems.add(at + ".scope", "'" + scopeText + "' (expected: local or cluster)");
      }
    }
    List<String> routes = strings(p, at + ".routes", "routes");
    for (int i = 0; i < routes.size(); i++) {
      if (!routeNames.contains(routes.get(i))) {
        problems.add(
            at + ".routes[" + i + "]",
            "'"
                + routes.get(i)
                + "' (expected: one of the routes "
                + new java.util.TreeSet<>(routeNames)
                + ")");
      }
    }
    List<String> methods = strings(p, at + ".methods", "methods");
    for (int m = 0; m < methods.size(); m++) {
      if (!HTTP_TOKEN.matcher(methods.get(m)).matches()
          || !methods.get(m).equals(methods.get(m).toUpperCase(Locale.ROOT))) {
        problems.add(
            at + ".methods[" + m + "]",
            "'" + methods.get(m) + "' (expected: an upper-case HTTP method such as GET)");
      }
    }
    if (name == null || key.isEmpty() || algorithm == null || limit == null) {
      return null;
    }
    RateLimitsConfig.Algorithm fAlgorithm = algorithm;
    RateSpec fLimit = limit;
    RateLimitsConfig.Scope fScope = scope;
    return build(
        at,
        () ->
            new RateLimitsConfig.Policy(
                name,
                key,
                fAlgorithm,
                fLimit,
                burst,
                fScope,
                new HashSet<>(routes),
                new HashSet<>(methods)));
  }

  RateSpec rate(JsonNode node, String path, String key) {
    String text = string(node, path, key, null);
    if (text == null) {
      return null;
    }
    try {
      return RateSpec.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(path, e.getMessage());
      return null;
    }
  }

  private RateLimitsConfig.Redis redis(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    String at = "rate_limits.redis";
    if (!node.isObject()) {
      // A URI written one level too high may carry a password: describe it, don't echo it.
      problems.add(
          at,
          (node.isValueNode() ? "a single value" : kindOf(node))
              + " (expected: a mapping with uri)");
      return null;
    }
    Secret uri = null;
    if (node.get("uri") == null || node.get("uri").isNull()) {
      problems.add(
          at + ".uri",
          "missing (expected: redis://host:port, rediss://..., redis-sentinel://... or a comma-separated list of cluster nodes)");
    } else {
      uri = secret(at + ".uri", node.get("uri"));
      if (uri != null && !uri.reveal().matches("(?s)(redis|rediss|redis-sentinel)://.+")) {
        // The URI may carry a password, so the value is not echoed.
        problems.add(
            at + ".uri",
            "not a Redis URI (expected: redis://host:port, rediss://..., redis-sentinel://... or a comma-separated list of redis:// nodes)");
        uri = null;
      }
    }
    Duration timeout =
        duration(node, at + ".timeout", "timeout", RateLimitsConfig.Redis.DEFAULT_TIMEOUT, false);
    RateLimitsConfig.FailMode failMode = RateLimitsConfig.FailMode.FAIL_OPEN;
    String mode = string(node, at + ".fail_mode", "fail_mode", null);
    if (mode != null) {
      if (mode.equals("fail_closed")) {
        failMode = RateLimitsConfig.FailMode.FAIL_CLOSED;
      } else if (!mode.equals("fail_open")) {
        problems.add(at + ".fail_mode", "'" + mode + "' (expected: fail_open or fail_closed)");
      }
    }
    int failures =
        integer(
            node,
            at + ".breaker_failures",
            "breaker_failures",
            RateLimitsConfig.Redis.DEFAULT_BREAKER_FAILURES,
            1,
            1_000_000);
    Duration openFor =
        duration(
            node,
            at + ".breaker_open_for",
            "breaker_open_for",
            RateLimitsConfig.Redis.DEFAULT_BREAKER_OPEN_FOR,
            false);
    if (uri == null) {
      return null;
    }
    Secret fUri = uri;
    RateLimitsConfig.FailMode fMode = failMode;
    return build(at, () -> new RateLimitsConfig.Redis(fUri, timeout, fMode, failures, openFor));
  }

  private static boolean problemsMentioned(JsonNode match) {
    JsonNode p = match.get("path");
    JsonNode pp = match.get("path_prefix");
    // A present but invalid value was reported already; don't also call it missing.
    return (p != null && !p.isNull()) != (pp != null && !pp.isNull());
  }

  String required(JsonNode node, String at, String key) {
    String value = string(node, at + "." + key, key, null);
    if (value == null || value.isBlank()) {
      if (node.get(key) == null || node.get(key).isNull()) {
        problems.add(at + "." + key, "missing (expected: a value)");
      } else if (value != null) {
        problems.add(at + "." + key, "'' (expected: a non-empty value)");
      }
      return null;
    }
    return value;
  }

  String absolutePath(JsonNode node, String path, String key) {
    String value = string(node, path, key, null);
    if (value != null && !value.startsWith("/")) {
      problems.add(path, "'" + value + "' (expected: a path starting with /)");
      return null;
    }
    return value;
  }

  // ---- scalars ----

  String string(JsonNode node, String path, String key, String fallback) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isValueNode()) {
      problems.add(path, kindOf(value) + " (expected: a single value)");
      return fallback;
    }
    return value.asText();
  }

  List<String> strings(JsonNode node, String path, String key) {
    JsonNode value = node.get(key);
    List<String> out = new ArrayList<>();
    if (value == null || value.isNull()) {
      return out;
    }
    if (value.isValueNode()) {
      for (String item : value.asText().split(",")) {
        if (!item.isBlank()) {
          out.add(item.trim());
        }
      }
      return out;
    }
    if (!value.isArray()) {
      problems.add(path, kindOf(value) + " (expected: a list)");
      return out;
    }
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isValueNode() || item.isNull()) {
        problems.add(path + "[" + i + "]", kindOf(item) + " (expected: a single value)");
      } else {
        out.add(item.asText());
      }
    }
    return out;
  }

  int integer(JsonNode node, String path, String key, int fallback, int min, int max) {
    String text = string(node, path, key, null);
    if (text == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      problems.add(path, "'" + text + "' (expected: an integer)");
      return fallback;
    }
    if (value < min || value > max) {
      problems.add(path, value + " (expected: " + min + ".." + max + ")");
      return fallback;
    }
    return (int) value;
  }

  private int port(JsonNode node, String path, int fallback) {
    return integer(node, path, "port", fallback, 0, 65535);
  }

  boolean bool(JsonNode node, String path, String key, boolean fallback) {
    String text = string(node, path, key, null);
    if (text == null) {
      return fallback;
    }
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    problems.add(path, "'" + text + "' (expected: true or false)");
    return fallback;
  }

  Duration duration(
      JsonNode node, String path, String key, Duration fallback, boolean zeroAllowed) {
    String text = string(node, path, key, null);
    if (text == null) {
      return fallback;
    }
    Duration parsed = parseDuration(text.trim());
    if (parsed == null) {
      problems.add(
          path, "'" + text + "' (expected: a duration such as 250ms, 5s, 1m, 2h, 1d or PT5S)");
      return fallback;
    }
    if (parsed.isNegative() || (!zeroAllowed && parsed.isZero())) {
      problems.add(
          path, "'" + text + "' (expected: a duration " + (zeroAllowed ? ">= 0" : "> 0") + ")");
      return fallback;
    }
    return parsed;
  }

  /** A duration, or null when the text is not one or does not fit in a {@link Duration}. */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        Duration parsed =
            switch (m.group(2)) {
              case "ms" -> Duration.ofMillis(n);
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
        // Callers convert to nanoseconds for timers; reject what that would overflow.
        parsed.toNanos();
        return parsed;
      } catch (NumberFormatException | ArithmeticException e) {
        return null;
      }
    }
    if (text.startsWith("PT") || text.startsWith("P")) {
      try {
        Duration parsed = Duration.parse(text);
        parsed.toNanos();
        return parsed;
      } catch (DateTimeParseException | ArithmeticException e) {
        return null;
      }
    }
    return null;
  }

  int size(JsonNode node, String path, String key, int fallback) {
    String text = string(node, path, key, null);
    if (text == null) {
      return fallback;
    }
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      problems.add(path, "'" + text + "' (expected: a size such as 8192, 64KiB, 10MiB or 1GiB)");
      return fallback;
    }
    String unit = m.group(2) == null ? "B" : m.group(2);
    long multiplier =
        switch (unit) {
          case "KiB" -> 1024L;
          case "MiB" -> 1024L * 1024;
          case "GiB" -> 1024L * 1024 * 1024;
          case "KB" -> 1000L;
          case "MB" -> 1000L * 1000;
          case "GB" -> 1000L * 1000 * 1000;
          default -> 1L;
        };
    long bytes;
    try {
      bytes = Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
    } catch (NumberFormatException | ArithmeticException e) {
      bytes = Long.MAX_VALUE;
    }
    if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
      problems.add(path, "'" + text + "' (expected: a size from 1 byte to 2GiB)");
      return fallback;
    }
    return (int) bytes;
  }
}
