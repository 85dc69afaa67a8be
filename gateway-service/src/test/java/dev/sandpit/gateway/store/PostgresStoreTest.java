package dev.sandpit.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

  @Override
  protected void assertSearchIndexCovers(StoreConfig config, int textFiles) throws Exception {
    try (Connection c = raw(config); Statement st = c.createStatement()) {
      assertEquals(1, count(st, "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'files_text_trgm' "
          + "AND indexdef LIKE '%USING gin (text_lc %gin_trgm_ops)'"));
      assertEquals(textFiles, count(st, "SELECT COUNT(*) FROM files WHERE text_lc IS NOT NULL"));
    }
  }

  @Test
  void aSmallSessionsSearchTextStaysInItsRowUncompressed() throws Exception {
    StoreConfig own = newSchema(); // its sessions' TOAST table holds only what this test puts there
    Store s = open(own);
    User u = s.createUser("inrow", null, true);
    String text = "uncompressed search text ".repeat(200); // 5,000 bytes: past the default ~2 kB, within a page
    Session small = s.createSession(u.id(), "In row", "python", List.of(new FileWrite("f.txt", text.getBytes(StandardCharsets.UTF_8), false)));
    try (Connection c = raw(own); Statement st = c.createStatement()) {
      assertEquals(1, count(st, "SELECT COUNT(*) FROM pg_attribute WHERE attrelid = 'sessions'::regclass AND attname = 'search_text' AND attstorage = 'e'"));
      assertEquals(1, count(st, "SELECT COUNT(*) FROM pg_class WHERE oid = 'sessions'::regclass AND 'toast_tuple_target=8160' = ANY(reloptions)"));
      assertEquals(1, count(st, "SELECT COUNT(*) FROM sessions WHERE id = '" + small.id() + "' AND pg_column_compression(search_text) IS NULL "
          + "AND octet_length(search_text) = " + text.length()));
      String toast;
      try (ResultSet rs = st.executeQuery("SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'sessions'::regclass")) {
        assertTrue(rs.next());
        toast = rs.getString(1);
      }
      assertEquals(0, count(st, "SELECT COUNT(*) FROM " + toast), "nothing of it moved out of the row");
      // a text that cannot fit a page goes out of the row, still uncompressed
      s.writeFile(small.id(), "g.txt", ("x" + text + text).getBytes(StandardCharsets.UTF_8), false, null, FileLimits.NONE);
      assertTrue(count(st, "SELECT COUNT(*) FROM " + toast) > 0, "a 15 kB text is stored out of the row");
      assertEquals(1, count(st, "SELECT COUNT(*) FROM sessions WHERE pg_column_compression(search_text) IS NULL AND octet_length(search_text) > 15000"));
    }
    assertEquals(1, s.listSessions(u.id(), "xuncompressed", null, 0, 10).total());
    s.close();
  }

  @Test
  void theSearchAsksTheTrigramIndexForQsLongestWord() throws Exception {
    assertEquals("return", Database.Postgres.anchor("return value"));
    assertEquals("quicksort", Database.Postgres.anchor("def quicksort(xs)"));
    assertEquals("ünïcode", Database.Postgres.anchor("ünïcode straße"));
    assertEquals("日本語", Database.Postgres.anchor("x 日本語"));
    assertEquals("abc", Database.Postgres.anchor("abc_de"));
    assertNull(Database.Postgres.anchor("a_b"));
    assertNull(Database.Postgres.anchor("=> !="));
    assertNull(Database.Postgres.anchor("ab"));

    // the plan of that question, on a table of some size (the planner's choice depends on it)
    User u = store.createUser("explain-" + JdbcStore.newId(), null, true);
    for (int i = 0; i < 50; i++) {
      store.createSession(u.id(), "s" + i, "python", List.of(new FileWrite("f.txt", ("filler text " + i + " lorem ipsum").repeat(20)
          .getBytes(StandardCharsets.UTF_8), false)));
    }
    try (Connection c = raw(config())) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("ANALYZE files");
        st.execute("SET LOCAL enable_seqscan = off");
      }
      StringBuilder plan = new StringBuilder();
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + Database.Postgres.HITS_SQL)) {
        JdbcStore.bind(ps, "quick brown", "%quick%", 1001);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) plan.append(rs.getString(1)).append('\n');
        }
      }
      c.rollback();
      assertTrue(plan.toString().contains("Bitmap Index Scan on files_text_trgm"), plan.toString());
    }
  }

  @Test
  void migratesWithoutPgTrgmWhenTheRoleMayNotCreateItAndTheSearchScans() throws Exception {
    String name = "sandpit_notrgm_" + JdbcStore.newId().substring(0, 12);
    try (Connection c = PostgresHarness.connect(server, server.url()); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
      assumeTrue(rs.next() && rs.getBoolean(1), "needs a superuser to make a database and a role without privileges");
      st.execute("CREATE ROLE " + name + " LOGIN PASSWORD 'pw'");
      st.execute("CREATE DATABASE " + name + " TEMPLATE template0"); // a database without pg_trgm; its CREATE privilege is not the role's
    }
    String dbUrl = server.url().replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    try {
      try (Connection c = PostgresHarness.connect(server, dbUrl); Statement st = c.createStatement()) {
        st.execute("CREATE SCHEMA app AUTHORIZATION " + name);
      }
      String url = dbUrl + (dbUrl.contains("?") ? "&" : "?") + "currentSchema=app";
      StoreConfig limited = new StoreConfig(url, name, "pw", null, 2, CAP);
      Store s = open(limited, clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_INDEX);
      User u = s.createUser("u", null, true);
      Session hit = s.createSession(u.id(), "One", "python", List.of(new FileWrite("a.py", "print('Needle')".getBytes(StandardCharsets.UTF_8), false)));
      s.createSession(u.id(), "Two", "python", List.of(new FileWrite("a.py", "print('hay')".getBytes(StandardCharsets.UTF_8), false)));
      assertEquals(List.of(hit.id()), s.listSessions(u.id(), "needle", null, 0, 10).items().stream().map(a -> a.session().id()).toList());
      try (Connection c = PostgresHarness.connect(server, url); Statement st = c.createStatement()) {
        assertEquals(0, count(st, "SELECT COUNT(*) FROM pg_extension WHERE extname = 'pg_trgm'"));
        assertEquals(0, count(st, "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'files_text_trgm'"));
        assertEquals(8, count(st, "SELECT COUNT(*) FROM app.flyway_schema_history WHERE success"), "V1 to V8");
      }
      s.close();
    } finally {
      try (Connection c = PostgresHarness.connect(server, server.url()); Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        st.execute("DROP ROLE IF EXISTS " + name);
      }
    }
  }

  @AfterAll
  void dropSchemas() throws SQLException {
    closeStores();
    for (String s : schemas) PostgresHarness.dropSchema(server, s);
  }
}
