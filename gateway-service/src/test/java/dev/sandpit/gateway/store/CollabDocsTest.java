package dev.sandpit.gateway.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The co-edited documents' table (V8) on SQLite and on PostgreSQL: compare-and-set saves, binary state, cascade with the session. */
class CollabDocsTest {
  @TempDir
  static Path dir;
  private static final PostgresHarness.Server PG = PostgresHarness.server();
  private static final String SCHEMA = "sandpit_test_collab_" + JdbcStore.newId().substring(0, 12);

  static Stream<String> dialects() {
    return Stream.of("sqlite", "postgresql");
  }

  private static Store open(String dialect) throws SQLException {
    if (dialect.equals("sqlite")) {
      return Store.open(new StoreConfig("jdbc:sqlite:" + dir.resolve("collab-" + JdbcStore.newId() + ".db"), null, null, dir, 4, 0));
    }
    String schema = SCHEMA + "_" + JdbcStore.newId().substring(0, 6);
    String url = PostgresHarness.createSchema(PG, schema);
    schemas.add(schema);
    return Store.open(new StoreConfig(url, PG.user(), PG.password(), null, 4, 0));
  }

  private static final List<String> schemas = new ArrayList<>();

  @AfterAll
  static void dropSchemas() throws SQLException {
    for (String schema : schemas) PostgresHarness.dropSchema(PG, schema);
  }

  @ParameterizedTest
  @MethodSource("dialects")
  void aSaveOnlyLandsOverTheRowItReadAndTheDocumentsGoWithTheirSession(String dialect) throws Exception {
    try (Store store = open(dialect)) {
      User u = store.createUser("collab-" + JdbcStore.newId().substring(0, 8), "hash", false);
      Session s = store.createSession(u.id(), "s", "python", List.of());
      CollabDocs docs = store.collabDocs();
      byte[] binary = {0, (byte) 0xff, 1, (byte) 0x80, 0};
      assertTrue(docs.save(s.id(), "src/main.py", "update-list", binary, "5-0", null));
      assertFalse(docs.save(s.id(), "src/main.py", "update-list", new byte[] {9}, "6-0", null), "a second first save loses");
      assertFalse(docs.save(s.id(), "src/main.py", "update-list", new byte[] {9}, "6-0", "4-0"), "a save over a row it did not read loses");
      CollabDocs.Doc d = docs.load(s.id(), "src/main.py").orElseThrow();
      assertArrayEquals(binary, d.state());
      assertEquals("5-0", d.streamId());
      assertTrue(docs.save(s.id(), "src/main.py", "update-list", new byte[] {7}, "6-0", "5-0"));
      assertEquals("6-0", docs.load(s.id(), "src/main.py").orElseThrow().streamId());
      assertTrue(docs.save(s.id(), "a.py", "update-list", new byte[] {1}, "1-0", null));
      assertEquals(List.of("a.py", "src/main.py"), docs.paths(s.id()));
      assertTrue(docs.delete(s.id(), "a.py"));
      assertFalse(docs.delete(s.id(), "a.py"));
      assertTrue(store.deleteSession(s.id()));
      assertEquals(List.of(), docs.paths(s.id()));
      StoreException gone = assertThrows(StoreException.class,
          () -> docs.save(s.id(), "src/main.py", "update-list", new byte[] {1}, "9-0", null));
      assertEquals(StoreException.Code.NOT_FOUND, gone.code());
    }
  }
}
