package dev.sandpit.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
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

  @Test
  void walModeAndReadsDoNotWaitForTheWriter() throws Exception {
    User u = store.createUser("wal-" + JdbcStore.newId(), null, true);
    try (Connection c = raw(config()); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
        rs.next();
        assertEquals("wal", rs.getString(1));
      }
      // another writer holds the write lock: the store still reads (WAL), without waiting for it
      st.execute("BEGIN IMMEDIATE");
      st.execute("UPDATE users SET guest = FALSE WHERE id = '" + u.id() + "'");
      assertTrue(store.userById(u.id()).orElseThrow().guest());
      assertEquals(0, store.listSessions(u.id(), null, null, 0, 10).total());
      st.execute("COMMIT");
    }
    assertEquals(false, store.userById(u.id()).orElseThrow().guest());
  }

  @Test
  void createsTheDataDirectoryAndWorksInMemory() {
    Path file = dir.resolve("new/deeper/sandpit.db");
    Store s = open(new StoreConfig("jdbc:sqlite:" + file, null, null, dir, 2, CAP));
    assertTrue(Files.exists(file));
    assertEquals("sqlite", s.dialect());

    Store mem = open(new StoreConfig("jdbc:sqlite::memory:", null, null, dir, 2, CAP));
    User u = mem.createUser("m", null, true);
    Session session = mem.createSession(u.id(), "In memory", "python", List.of(new FileWrite("a.py", "pass".getBytes(), false)));
    assertEquals(List.of(session.id()), mem.listSessions(u.id(), "pass", null, 0, 10).items().stream().map(a -> a.session().id()).toList());
  }
}
