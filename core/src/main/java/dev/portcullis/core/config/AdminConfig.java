package dev.portcullis.core.config;

/** The admin listener: health, metrics and (later) key management. Loopback by default. */
public record AdminConfig(String address, int port) {
  public static final AdminConfig DEFAULTS = new AdminConfig("127.0.0.1", 9090);

  public AdminConfig {
    Checks.notBlank("admin.address", address);
    Checks.port("admin.port", port);
  }
}
