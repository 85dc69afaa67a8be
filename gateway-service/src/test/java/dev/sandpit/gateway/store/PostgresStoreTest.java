package dev.sandpit.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract against a real PostgreSQL ({@link PostgresHarness}): DATABASE_URL, else
 * 127.0.0.1:5432/test, else a private server. This class works in schemas of its own, made here
 * and dropped after, so runs never collide.
 */
class PostgresStoreTest extends StoreContract {
  private final PostgresHarness.Server server = PostgresHarness.server();
  private final List<String> schemas = new ArrayList<>();
  private final StoreConfig config = newSchema();

  private StoreConfig newSchema() {
    String schema = "sandpit_test_" + JdbcStore.newId().substring(0, 16);
    try {
      String url = PostgresHarness.createSchema(server, schema);
      schemas.add(schema);
      return new StoreConfig(url, server.user(), server.password(), null, 4, CAP);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create schema " + schema + " on " + server.how(), e);
    }
  }

  @Override
  protected StoreConfig config() {
    return config;
  }

  @Override
  protected StoreConfig freshConfig() {
    return newSchema();
  }

  @Override
  protected Connection raw(StoreConfig config) throws SQLException {
    return PostgresHarness.connect(server, config.jdbcUrl());
  }

  @Override
  protected String expectedDialect() {
    return "postgresql";
  }

  @Test
  void migratesASchemaThatHoldsOtherTables() throws Exception {
    StoreConfig shared = newSchema();
    try (Connection c = raw(shared); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE somebody_elses (x INT)");
    }
    Store s = open(shared);
    User u = s.createUser("u", null, false);
    assertEquals(u, s.userByName("u").orElseThrow());
  }

  @AfterAll
  void dropSchemas() throws SQLException {
    closeStores();
    for (String s : schemas) PostgresHarness.dropSchema(server, s);
  }
}
