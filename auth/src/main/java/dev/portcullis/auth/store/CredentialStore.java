package dev.portcullis.auth.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.core.config.ApiKeysConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The API-key table over JDBC: H2 (a file under {@code ./data} by default, or in memory) or
 * PostgreSQL, with a HikariCP pool and the schema migrated by Flyway when the store opens.
 *
 * <p>Threading: every method blocks on JDBC. Callers run them on the key service's own executor,
 * never on an event loop. Thread-safe (the pool hands each call its own connection).
 */
public final class CredentialStore implements AutoCloseable {
  private static final String COLUMNS =
      "id, key_hash, subject, tenant, key_type, scopes, created_at, expires_at, revoked_at,"
          + " allowed_cidrs, rate_limit, last_used_at, previous_hash, previous_valid_until";

  private final HikariDataSource pool;

  private CredentialStore(HikariDataSource pool) {
    this.pool = pool;
  }

  /** Opens the configured store, migrating its schema first. */
  public static CredentialStore open(ApiKeysConfig.Store store) {
    return open(store, null);
  }

  /**
   * Opens the store inside {@code schema} (created when missing), or the connection's default
   * schema when null. Tests use a schema per run so parallel runs on one PostgreSQL never meet.
   *
   * @throws IllegalStateException naming the URL (never the password) when the database cannot be
   *     reached or migrated
   */
  public static CredentialStore open(ApiKeysConfig.Store store, String schema) {
    String password = store.password() == null ? "" : store.password().reveal();
    try {
      var flyway =
          Flyway.configure()
              .dataSource(store.url(), store.username(), password)
              .locations("classpath:db/portcullis/auth")
              .table("portcullis_auth_schema_history");
      if (schema != null) {
        flyway.schemas(schema).createSchemas(true);
      }
      flyway.load().migrate();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "auth.api_keys.store: cannot open " + store.url() + " (" + rootMessage(e) + ")", e);
    }
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(store.url());
    hikari.setUsername(store.username());
    hikari.setPassword(password);
    hikari.setMaximumPoolSize(store.poolSize());
    hikari.setMinimumIdle(1);
    hikari.setPoolName("portcullis-keystore");
    // A lookup waiting longer than this is answered Unavailable; cached keys keep working.
    hikari.setConnectionTimeout(3_000);
    hikari.setValidationTimeout(1_000);
    if (schema != null) {
      hikari.setSchema(schema);
    }
    try {
      return new CredentialStore(new HikariDataSource(hikari));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "auth.api_keys.store: cannot open " + store.url() + " (" + rootMessage(e) + ")", e);
    }
  }

  public void insert(ApiKeyRecord key) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO api_keys ("
                    + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      s.setString(1, key.id());
      s.setString(2, key.hash());
      s.setString(3, key.subject());
      s.setString(4, key.tenant());
      s.setString(5, key.type());
      s.setString(6, String.join(" ", key.scopes()));
      setInstant(s, 7, key.created());
      setInstant(s, 8, key.expires());
      setInstant(s, 9, key.revokedAt());
      s.setString(10, String.join(",", key.allowedCidrs()));
      s.setString(11, key.rateLimit());
      setInstant(s, 12, key.lastUsed());
      s.setString(13, key.previousHash());
      setInstant(s, 14, key.previousValidUntil());
      s.executeUpdate();
    }
  }

  public Optional<ApiKeyRecord> find(String id) throws SQLException {
    return one("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?", id);
  }

  /** A key by its current or previous hash: how legacy keys, which carry no id, are found. */
  public Optional<ApiKeyRecord> findByHash(String hash) throws SQLException {
    Optional<ApiKeyRecord> current =
        one("SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = ?", hash);
    if (current.isPresent()) {
      return current;
    }
    return one("SELECT " + COLUMNS + " FROM api_keys WHERE previous_hash = ?", hash);
  }

  /** Keys filtered by subject and/or tenant (null for any), oldest first. */
  public List<ApiKeyRecord> list(String subject, String tenant) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM api_keys WHERE 1 = 1");
    List<String> args = new ArrayList<>();
    if (subject != null) {
      sql.append(" AND subject = ?");
      args.add(subject);
    }
    if (tenant != null) {
      sql.append(" AND tenant = ?");
      args.add(tenant);
    }
    sql.append(" ORDER BY created_at, id");
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        s.setString(i + 1, args.get(i));
      }
      List<ApiKeyRecord> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    }
  }

  /**
   * Marks the key revoked at {@code at}; a key already revoked keeps its first revocation time.
   *
   * @return the key after the change, or empty when there is no such key
   */
  public Optional<ApiKeyRecord> revoke(String id, Instant at) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
      setInstant(s, 1, at);
      s.setString(2, id);
      s.executeUpdate();
    }
    return find(id);
  }

  /**
   * Replaces the key's hash; the old hash stays acceptable until {@code oldValidUntil}.
   *
   * @return the key after the change, or empty when there is no such key or it is revoked
   */
  public Optional<ApiKeyRecord> rotate(String id, String newHash, Instant oldValidUntil)
      throws SQLException {
    int changed;
    try (Connection c = pool.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE api_keys SET previous_hash = key_hash, previous_valid_until = ?,"
                    + " key_hash = ? WHERE id = ? AND revoked_at IS NULL")) {
      setInstant(s, 1, oldValidUntil);
      s.setString(2, newHash);
      s.setString(3, id);
      changed = s.executeUpdate();
    }
    return changed == 0 ? Optional.empty() : find(id);
  }

  /** One UPDATE for a whole batch of keys seen since the last flush. */
  public void touch(Collection<String> ids, Instant at) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    try (Connection c = pool.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE api_keys SET last_used_at = ? WHERE id IN (" + marks + ")")) {
      setInstant(s, 1, at);
      int i = 2;
      for (String id : ids) {
        s.setString(i++, id);
      }
      s.executeUpdate();
    }
  }

  @Override
  public void close() {
    pool.close();
  }

  private Optional<ApiKeyRecord> one(String sql, String arg) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, arg);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static ApiKeyRecord read(ResultSet rs) throws SQLException {
    return new ApiKeyRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        split(rs.getString(6), " "),
        instant(rs, 7),
        instant(rs, 8),
        instant(rs, 9),
        split(rs.getString(10), ","),
        rs.getString(11),
        instant(rs, 12),
        rs.getString(13),
        instant(rs, 14));
  }

  private static List<String> split(String text, String separator) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    return Arrays.asList(text.split(separator));
  }

  private static void setInstant(PreparedStatement s, int index, Instant value)
      throws SQLException {
    if (value == null) {
      s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      s.setObject(index, value.atOffset(java.time.ZoneOffset.UTC));
    }
  }

  private static Instant instant(ResultSet rs, int index) throws SQLException {
    java.time.OffsetDateTime value = rs.getObject(index, java.time.OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
