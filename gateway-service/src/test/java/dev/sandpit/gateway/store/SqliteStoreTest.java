package dev.sandpit.gateway.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/** The store contract against a real SQLite file in a temp dir. */
class SqliteStoreTest extends StoreContract {
  @TempDir
  static Path dir;
  private static int fresh;

  @Override
  protected StoreConfig config() {
    return new StoreConfig("jdbc:sqlite:" + dir.resolve("data/sandpit.db"), null, null, dir, 4, CAP);
  }

  @Override
  protected StoreConfig freshConfig() {
    return new StoreConfig("jdbc:sqlite:" + dir.resolve("fresh" + (++fresh) + ".db"), null, null, dir, 4, CAP);
  }

  @Override
  protected Connection raw(StoreConfig config) throws SQLException {
    Connection c = DriverManager.getConnection(config.jdbcUrl());
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 10000");
    }
    return c;
  }

  @Override
  protected String expectedDialect() {
    return "sqlite";
  }
}
