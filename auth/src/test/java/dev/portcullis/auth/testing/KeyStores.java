package dev.portcullis.auth.testing;

import dev.portcullis.core.config.ApiKeysConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, private credential store per test on one of the two real databases: an in-memory H2
 * database of its own, or a schema of its own on the PostgreSQL at 127.0.0.1:5432 (database test,
 * user postgres), so parallel runs never meet. {@link #close} drops it.
 */
public final class KeyStores implements AutoCloseable {
  public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  public enum Kind {
    H2,
    POSTGRES
  }

  private final Kind kind;
  private final String name;

  public KeyStores(Kind kind) {
    this.kind = kind;
    this.name = "keys_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  public Kind kind() {
    return kind;
  }

  public ApiKeysConfig.Store store() {
    return kind == Kind.H2
        ? new ApiKeysConfig.Store("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", null, 2)
        : new ApiKeysConfig.Store(POSTGRES_URL, "postgres", null, 2);
  }

  /** The schema to open the store in: null for H2 (a database of its own), else this run's. */
  public String schema() {
    return kind == Kind.H2 ? null : name;
  }

  /**
   * A JDBC URL that reaches this run's store without a schema argument, as a configuration file
   * would name it: for PostgreSQL the schema is created now and named in {@code currentSchema}.
   */
  public String configuredUrl() throws SQLException {
    if (kind == Kind.H2) {
      return store().url();
    }
    try (Connection c = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + name);
    }
    return POSTGRES_URL + "?currentSchema=" + name;
  }

  /** Runs SQL on the store's database, in its schema, outside the service. */
  public void sql(String statement) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /**
   * Breaks the store under a running service, as an outage would: the key table disappears (H2: the
   * database shuts down and comes back empty; PostgreSQL: the schema is dropped).
   */
  public void breakStore() throws SQLException {
    if (kind == Kind.H2) {
      sql("SHUTDOWN");
    } else {
      sql("DROP SCHEMA " + name + " CASCADE");
    }
  }

  private Connection connect() throws SQLException {
    ApiKeysConfig.Store store = store();
    Connection c = DriverManager.getConnection(store.url(), store.username(), "");
    if (kind == Kind.POSTGRES) {
      c.setSchema(name);
    }
    return c;
  }

  @Override
  public void close() throws SQLException {
    if (kind == Kind.H2) {
      try {
        sql("SHUTDOWN");
      } catch (SQLException alreadyDown) {
        // nothing left to drop
      }
    } else {
      try (Connection c = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + name.toLowerCase(Locale.ROOT) + " CASCADE");
      }
    }
  }
}
