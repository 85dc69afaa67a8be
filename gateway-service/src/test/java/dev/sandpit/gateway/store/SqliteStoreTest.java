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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  @Override
  protected void assertSearchIndexCovers(StoreConfig config, int textFiles) throws Exception {
    try (Connection c = raw(config); Statement st = c.createStatement()) {
      assertEquals(textFiles, count(st, "SELECT COUNT(*) FROM files WHERE text_lc IS NOT NULL"));
      assertEquals(textFiles, count(st, "SELECT COUNT(*) FROM search_docs d JOIN files f ON f.session_id = d.session_id AND f.path = d.path "
          + "WHERE f.text_lc IS NOT NULL"));
      assertEquals(textFiles, count(st, "SELECT COUNT(*) FROM search_docs"));
      assertEquals(textFiles, count(st, "SELECT COUNT(*) FROM search_text t JOIN search_docs d ON d.id = t.rowid"));
      assertEquals(textFiles, count(st, "SELECT COUNT(*) FROM search_text"));
      st.execute("INSERT INTO search_text (search_text, rank) VALUES ('integrity-check', 0)"); // throws if the index is damaged
    }
  }

  @Test
  void anIndexQuestionOverItsBudgetIsStoppedAndTheScanGivesTheSameSessions() {
    // no time at all: every question that takes more than a few VM steps is interrupted
    JdbcStore impatient = (JdbcStore) open(config(), clock::incrementAndGet, new JdbcStore.SearchTuning(0, Integer.MAX_VALUE - 1, 0));
    Store patient = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_INDEX);
    User u = store.createUser("budget-" + JdbcStore.newId(), null, true);
    Set<String> want = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      want.add(store.createSession(u.id(), "s" + i, "python", List.of(new FileWrite("f.txt", ("a shared phrase " + i).getBytes(), false))).id());
    }
    store.createSession(u.id(), "other", "python", List.of(new FileWrite("f.txt", "a shared word".getBytes(), false)));
    SqliteDatabase db = (SqliteDatabase) impatient.database();
    long before = db.indexGaveUp.get();
    assertEquals(want, found(impatient.listSessions(u.id(), "shared phrase", null, 0, 100)));
    assertEquals(61, impatient.listSessions(u.id(), "shared", null, 0, 1).total());
    assertTrue(db.indexGaveUp.get() >= before + 2, "the index was stopped: " + (db.indexGaveUp.get() - before));
    assertEquals(want, found(patient.listSessions(u.id(), "shared phrase", null, 0, 100)));
    // the connection is usable after the interruption, and the handler gone: a later question is answered in full
    assertEquals(want, found(impatient.listSessions(u.id(), "shared phrase", null, 0, 100)));
  }

  @Test
  void theIndexIsNotAskedForAQWithACharacterItsTokenizerConfuses() {
    // FTS5 reads U+FFFD, U+FFFE and U+FFFF as one character: asked, it would find all three
    Store index = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_INDEX);
    User u = store.createUser("fffd-" + JdbcStore.newId(), null, true);
    Map<Character, String> ids = new java.util.LinkedHashMap<>();
    for (char ch : new char[] {'\uFFFD', '\uFFFE', '\uFFFF'}) {
      ids.put(ch, store.createSession(u.id(), "s", "python", List.of(new FileWrite("f.txt", ("x" + ch + "y").getBytes(java.nio.charset.StandardCharsets.UTF_8), false))).id());
    }
    for (Map.Entry<Character, String> e : ids.entrySet()) {
      assertEquals(Set.of(e.getValue()), found(index.listSessions(u.id(), "x" + e.getKey() + "y", null, 0, 10)), "U+" + Integer.toHexString(e.getKey()));
    }
  }

  @Test
  void theSearchIndexHoldsExactlyTheTextFilesAfterEveryKindOfChange() throws Exception {
    StoreConfig fresh = freshConfig();
    Store s = open(fresh);
    User u = s.createUser("fts", null, true);
    Session a = s.createSession(u.id(), "A", "python", List.of(new FileWrite("x.py", "one".getBytes(), false),
        new FileWrite("d/y.py", "two".getBytes(), false), new FileWrite("z.bin", "three".getBytes(), true)));
    Session b = s.createSession(u.id(), "B", "python", List.of(new FileWrite("b.py", "four".getBytes(), false)));
    assertSearchIndexCovers(fresh, 3);
    s.writeFile(a.id(), "x.py", "one again".getBytes(), false, null, FileLimits.NONE); // new content
    s.writeFile(a.id(), "x.py", "one again".getBytes(), false, null, FileLimits.NONE); // the same content
    s.writeFile(a.id(), "z.bin", "now text".getBytes(), false, null, FileLimits.NONE); // binary -> text
    s.writeFile(a.id(), "d/y.py", new byte[] {1, 2, 0}, true, null, FileLimits.NONE); // text -> binary
    assertSearchIndexCovers(fresh, 3);
    s.renameFile(a.id(), "x.py", "e/x.py");
    s.renameFile(a.id(), "d", "f");
    s.renameFile(a.id(), "z.bin", "d");
    s.writeFile(a.id(), "e/x.py", "one more".getBytes(), false, null, FileLimits.NONE);
    assertSearchIndexCovers(fresh, 3);
    assertEquals(1, s.deleteFile(a.id(), "e"));
    assertSearchIndexCovers(fresh, 2);
    s.deleteSession(a.id());
    assertSearchIndexCovers(fresh, 1);
    s.deleteSession(b.id());
    assertSearchIndexCovers(fresh, 0);
  }

  @Test
  void planStatisticsOfTheSearchIndexTablesAreNotKept() throws Exception {
    StoreConfig fresh = freshConfig();
    Store s = open(fresh);
    User u = s.createUser("stats", null, true);
    s.createSession(u.id(), "A", "python", List.of(new FileWrite("x.py", "some text".getBytes(), false)));
    s.close(); // runs PRAGMA optimize, which analyzes the small FTS5 tables
    try (Connection c = raw(fresh); Statement st = c.createStatement()) {
      st.execute("ANALYZE"); // as if someone did by hand: the next open drops them again
      assertTrue(count(st, "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl LIKE 'search_text%'") > 0);
    }
    open(fresh).close();
    try (Connection c = raw(fresh); Statement st = c.createStatement()) {
      assertEquals(0, count(st, "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl LIKE 'search_text%'"));
      assertTrue(count(st, "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'files'") > 0, "the other tables keep theirs");
    }
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
