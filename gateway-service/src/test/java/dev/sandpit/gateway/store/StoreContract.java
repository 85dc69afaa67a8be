package dev.sandpit.gateway.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.flywaydb.core.Flyway;

/**
 * What every {@link Store} must do, run against a real SQLite file ({@link SqliteStoreTest}) and a
 * real PostgreSQL ({@link PostgresStoreTest}). The store's clock ticks by one millisecond on every
 * call, so "newest first" is decided without sleeping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreContract {
  static final long CAP = 64;

  /** The class's database, with {@code transcriptCapBytes} = {@link #CAP}. */
  protected abstract StoreConfig config();

  /** An empty database of its own (dropped with the class's). */
  protected abstract StoreConfig freshConfig() throws Exception;

  /** A plain JDBC connection to the database of {@code config}, for looking behind the store. */
  protected abstract Connection raw(StoreConfig config) throws SQLException;

  /** The one number {@code sql} selects. */
  protected static long count(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  protected abstract String expectedDialect();

  protected final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  protected Store store;
  private final List<Store> opened = new ArrayList<>();

  @BeforeAll
  void openStore() {
    store = open(config());
  }

  @AfterAll
  void closeStores() {
    for (Store s : opened) s.close();
  }

  /** Another store on the same database: a second gateway. */
  protected Store open(StoreConfig config) {
    return open(config, clock::incrementAndGet, JdbcStore.SearchTuning.DEFAULT);
  }

  protected Store open(StoreConfig config, LongSupplier clock, JdbcStore.SearchTuning search) {
    Store s = JdbcStore.open(config, clock, search);
    opened.add(s);
    return s;
  }

  /** The byte-string column type of the {@code bytes} placeholder of V1. */
  private String bytesType() {
    return expectedDialect().equals("sqlite") ? "BLOB" : "BYTEA";
  }

  // ---- helpers ----

  private User user(String name) {
    return store.createUser(name + "-" + JdbcStore.newId().substring(0, 12), "hash", false);
  }

  private Session session(User owner, String name, String language, FileWrite... files) {
    return store.createSession(owner.id(), name, language, List.of(files));
  }

  private static FileWrite text(String path, String content) {
    return new FileWrite(path, content.getBytes(UTF_8), false);
  }

  private static StoreException.Code code(Executable e) {
    return assertThrows(StoreException.class, e).code();
  }

  private String content(Session s, String path) {
    return new String(store.readFile(s.id(), path).orElseThrow().content(), UTF_8);
  }

  private List<String> paths(Session s) {
    return store.listFiles(s.id()).stream().map(FileMeta::path).toList();
  }

  private long count(String sql) throws SQLException {
    try (Connection c = raw(config()); Statement st = c.createStatement()) {
      return count(st, sql);
    }
  }

  private static List<String> ids(Page<SessionAccess> page) {
    return page.items().stream().map(a -> a.session().id()).toList();
  }

  /** Runs {@code n} tasks at once (released together) and returns their outcomes: the result or the exception. */
  private static <T> List<Object> race(int n, IntFunction<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch ready = new CountDownLatch(n), go = new CountDownLatch(1);
      List<Future<Object>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        futures.add(pool.submit((Callable<Object>) () -> {
          ready.countDown();
          go.await();
          try {
            return task.apply(k);
          } catch (StoreException e) {
            return e;
          }
        }));
      }
      assertTrue(ready.await(30, TimeUnit.SECONDS));
      go.countDown();
      List<Object> out = new ArrayList<>();
      for (Future<Object> f : futures) out.add(f.get(60, TimeUnit.SECONDS));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- store ----

  @Test
  void dialectAndReopen() {
    assertEquals(expectedDialect(), store.dialect());
    User u = user("reopen");
    // a second store on the same database finds it migrated and sees the same rows
    Store other = open(config());
    assertEquals(u, other.userById(u.id()).orElseThrow());
  }

  // ---- users ----

  @Test
  void usersAreUniqueByName() {
    User u = user("ann");
    assertEquals(32, u.id().length());
    assertTrue(u.id().matches("[0-9a-f]{32}"));
    assertEquals(Optional.of(u), store.userByName(u.username()));
    assertEquals(Optional.of(u), store.userById(u.id()));
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.createUser(u.username(), "other", false)));
    assertEquals(Optional.of(u), store.userByName(u.username()));
    User guest = store.createUser("guest-" + JdbcStore.newId(), null, true);
    assertTrue(store.userById(guest.id()).orElseThrow().guest());
    assertNull(store.userById(guest.id()).orElseThrow().passwordHash());
    assertEquals(Optional.empty(), store.userByName("nobody-" + JdbcStore.newId()));
    assertEquals(Optional.empty(), store.userById(JdbcStore.newId()));
    assertEquals(StoreException.Code.INVALID, code(() -> store.createUser(" ", null, true)));
    assertEquals(StoreException.Code.INVALID, code(() -> store.createUser("a\0b", null, true)));
  }

  // ---- sessions ----

  @Test
  void sessionSettingsAreKeptWithTheSessionForEveryGatewayWithoutChangingItsVersion() {
    User owner = user("settings");
    Session s = session(owner, "cpp", "cpp", text("main.cpp", "int main(){}"));
    assertEquals(Optional.of(SessionSettings.NONE), store.sessionSettings(s.id()));
    SessionSettings clang = new SessionSettings("clang++", List.of("-O1", "-std=c++20", "-Wall", "-DNAME=\"x y\""));
    assertEquals(clang, store.updateSessionSettings(s.id(), clang));
    // another gateway on the same database reads them
    assertEquals(Optional.of(clang), open(config()).sessionSettings(s.id()));
    Session after = store.access(s.id(), owner.id()).orElseThrow().session();
    assertEquals(s.version(), after.version(), "settings are not a change of the files");
    assertTrue(after.updatedAt() > s.updatedAt());
    assertEquals(SessionSettings.NONE, store.updateSessionSettings(s.id(), SessionSettings.NONE));
    assertEquals(Optional.of(SessionSettings.NONE), store.sessionSettings(s.id()));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.updateSessionSettings(JdbcStore.newId(), clang)));
    assertEquals(StoreException.Code.INVALID, code(() -> store.updateSessionSettings(s.id(), new SessionSettings("g\n++", List.of()))));
    store.updateSessionSettings(s.id(), clang);
    assertTrue(store.deleteSession(s.id()));
    assertEquals(Optional.empty(), store.sessionSettings(s.id()));
  }

  @Test
  void createSessionWithFilesAndAccess() {
    User owner = user("owner");
    Session s = session(owner, "Hello", "python", text("main.py", "print('hi')\n"), text("lib/util.py", "X = 1\n"));
    assertTrue(s.id().matches("[0-9a-f]{32}"));
    assertEquals(1, s.version());
    assertEquals(s.createdAt(), s.updatedAt());
    assertEquals(List.of("lib/util.py", "main.py"), paths(s));
    assertEquals("print('hi')\n", content(s, "main.py"));
    assertEquals(12 + 6, store.userBytes(owner.id()));

    SessionAccess a = store.access(s.id(), owner.id()).orElseThrow();
    assertEquals(SessionAccess.OWNER, a.role());
    assertEquals(s, a.session());

    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.createSession(JdbcStore.newId(), "x", "python", List.of())));
    assertEquals(StoreException.Code.INVALID, code(() -> session(owner, "dup", "python", text("a", "1"), text("a", "2"))));
    assertEquals(StoreException.Code.CONFLICT, code(() -> session(owner, "clash", "python", text("a", "1"), text("a/b", "2"))));
    assertEquals(StoreException.Code.INVALID, code(() -> session(owner, "bad", "python", text("../etc/passwd", "x"))));
    assertEquals(12 + 6, store.userBytes(owner.id()), "failed creates store nothing");
  }

  @Test
  void accessByRoleAndStrangersSeeNothing() {
    User owner = user("owner"), ed = user("ed"), run = user("runner"), view = user("viewer"), stranger = user("stranger");
    Session s = session(owner, "Shared", "go");
    store.addMember(s.id(), ed.id(), SessionAccess.EDITOR, null);
    Share runLink = store.createShare(s.id(), SessionAccess.RUNNER, owner.id());
    store.addMember(s.id(), run.id(), SessionAccess.RUNNER, runLink.token());
    Share viewLink = store.createShare(s.id(), SessionAccess.VIEWER, owner.id());
    store.addMember(s.id(), view.id(), SessionAccess.VIEWER, viewLink.token());

    assertEquals(SessionAccess.OWNER, store.access(s.id(), owner.id()).orElseThrow().role());
    assertEquals(SessionAccess.EDITOR, store.access(s.id(), ed.id()).orElseThrow().role());
    assertEquals(SessionAccess.RUNNER, store.access(s.id(), run.id()).orElseThrow().role());
    assertEquals(SessionAccess.VIEWER, store.access(s.id(), view.id()).orElseThrow().role());
    assertEquals(s, store.access(s.id(), view.id()).orElseThrow().session());
    // a stranger, an unknown session and an unknown user all look the same
    assertEquals(Optional.empty(), store.access(s.id(), stranger.id()));
    assertEquals(Optional.empty(), store.access(JdbcStore.newId(), owner.id()));
    assertEquals(Optional.empty(), store.access(s.id(), JdbcStore.newId()));
    assertEquals(Optional.empty(), store.access(null, owner.id()));

    // joining again keeps the highest role; the owner never becomes a member
    store.addMember(s.id(), view.id(), SessionAccess.VIEWER, viewLink.token());
    store.addMember(s.id(), view.id(), SessionAccess.VIEWER, null);
    store.addMember(s.id(), view.id(), SessionAccess.RUNNER, null);
    store.addMember(s.id(), view.id(), SessionAccess.VIEWER, null);
    assertEquals(SessionAccess.RUNNER, store.access(s.id(), view.id()).orElseThrow().role());
    store.addMember(s.id(), owner.id(), SessionAccess.VIEWER, viewLink.token());
    assertEquals(SessionAccess.OWNER, store.access(s.id(), owner.id()).orElseThrow().role());

    assertEquals(StoreException.Code.INVALID, code(() -> store.addMember(s.id(), stranger.id(), SessionAccess.OWNER, null)));
    assertEquals(StoreException.Code.INVALID, code(() -> store.addMember(s.id(), stranger.id(), SessionAccess.EDITOR, viewLink.token())));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.addMember(s.id(), stranger.id(), SessionAccess.VIEWER, "nosuchtoken")));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.addMember(JdbcStore.newId(), stranger.id(), SessionAccess.VIEWER, null)));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.addMember(s.id(), JdbcStore.newId(), SessionAccess.VIEWER, null)));
    assertEquals(Optional.empty(), store.access(s.id(), stranger.id()));
  }

  @Test
  void listSessionsNewestFirstWithPagingOwnedAndShared() {
    User me = user("me"), other = user("other");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) expected.add(0, session(me, "mine " + i, i % 2 == 0 ? "python" : "c").id());
    Session theirs = session(other, "theirs", "python");
    Session notShared = session(other, "not shared", "python");
    store.addMember(theirs.id(), me.id(), SessionAccess.VIEWER, null);
    expected.add(0, theirs.id()); // created after all of mine: the newest (joining does not change updated_at)

    Page<SessionAccess> all = store.listSessions(me.id(), null, null, 0, 100);
    assertEquals(expected, ids(all));
    assertEquals(8, all.total());
    assertFalse(ids(all).contains(notShared.id()));

    Page<SessionAccess> p1 = store.listSessions(me.id(), null, null, 0, 3);
    Page<SessionAccess> p2 = store.listSessions(me.id(), null, null, 3, 3);
    Page<SessionAccess> p3 = store.listSessions(me.id(), null, null, 6, 3);
    Page<SessionAccess> p4 = store.listSessions(me.id(), null, null, 9, 3);
    assertEquals(expected.subList(0, 3), ids(p1));
    assertEquals(expected.subList(3, 6), ids(p2));
    assertEquals(expected.subList(6, 8), ids(p3));
    assertEquals(List.of(), ids(p4));
    for (Page<SessionAccess> p : List.of(p1, p2, p3, p4)) {
      assertEquals(8, p.total());
      assertEquals(3, p.limit());
    }
    assertEquals(3, p2.offset());

    // an update moves a session to the front
    Session oldest = store.updateSession(expected.get(expected.size() - 1), null, null);
    assertEquals(oldest.id(), ids(store.listSessions(me.id(), null, null, 0, 1)).get(0));

    // the limit is at most 100; bad paging is refused
    assertEquals(100, store.listSessions(me.id(), null, null, 0, 1000).limit());
    assertEquals(StoreException.Code.INVALID, code(() -> store.listSessions(me.id(), null, null, -1, 10)));
    assertEquals(StoreException.Code.INVALID, code(() -> store.listSessions(me.id(), null, null, 0, 0)));

    // a stranger has none
    assertEquals(0, store.listSessions(user("nobody").id(), null, null, 0, 10).total());
  }

  @Test
  void listSessionsFiltersByLanguageAndSearchesNamesAndText() {
    User me = user("me"), other = user("other");
    Session py = session(me, "Fibonacci Numbers", "python", text("main.py", "def fib(n):\n    return n\n"));
    Session c = session(me, "Sorting", "c", text("main.c", "int main(void) { return QuickSort(); }\n"));
    Session js = session(me, "Ünïcode Straße", "javascript", text("a.js", "console.log('50%_off')\n"));
    Session bin = session(me, "Binary", "c", new FileWrite("blob.bin", "quicksort".getBytes(UTF_8), true));
    Session foreign = session(other, "Fibonacci elsewhere", "python");

    assertEquals(Set.of(c.id(), bin.id()), Set.copyOf(ids(store.listSessions(me.id(), null, "c", 0, 10))));
    assertEquals(List.of(py.id()), ids(store.listSessions(me.id(), null, "python", 0, 10)));
    assertEquals(0, store.listSessions(me.id(), null, "rust", 0, 10).total());

    // names and text content, case-insensitively; not binary files, not other people's sessions
    assertEquals(List.of(py.id()), ids(store.listSessions(me.id(), "fibonacci", null, 0, 10)));
    assertEquals(List.of(py.id()), ids(store.listSessions(me.id(), "DEF FIB", null, 0, 10)));
    assertEquals(List.of(c.id()), ids(store.listSessions(me.id(), "quicksort", null, 0, 10)));
    assertEquals(List.of(js.id()), ids(store.listSessions(me.id(), "ünïcode", null, 0, 10)));
    assertEquals(List.of(js.id()), ids(store.listSessions(me.id(), "straße", null, 0, 10)));
    // LIKE's wildcards are plain characters in q
    assertEquals(List.of(js.id()), ids(store.listSessions(me.id(), "50%_", null, 0, 10)));
    assertEquals(0, store.listSessions(me.id(), "5_%", null, 0, 10).total());
    assertEquals(0, store.listSessions(me.id(), "!", null, 0, 10).total());
    // q and language together
    assertEquals(List.of(), ids(store.listSessions(me.id(), "quicksort", "python", 0, 10)));
    assertEquals(List.of(c.id()), ids(store.listSessions(me.id(), "quicksort", "c", 0, 10)));
    // shared sessions are searched too
    store.addMember(foreign.id(), me.id(), SessionAccess.VIEWER, null);
    assertEquals(Set.of(py.id(), foreign.id()), Set.copyOf(ids(store.listSessions(me.id(), "fibonacci", null, 0, 10))));
    assertEquals(2, store.listSessions(me.id(), "fibonacci", null, 0, 1).total());
    // a file written later is found
    store.writeFile(bin.id(), "notes.txt", "remember the MILK".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(List.of(bin.id()), ids(store.listSessions(me.id(), "milk", null, 0, 10)));
  }

  @Test
  void updateSessionBumpsVersion() {
    User me = user("me");
    Session s = session(me, "Old", "python");
    Session u1 = store.updateSession(s.id(), "New", null);
    assertEquals("New", u1.name());
    assertEquals("python", u1.language());
    assertEquals(2, u1.version());
    assertTrue(u1.updatedAt() > s.updatedAt());
    assertEquals(s.createdAt(), u1.createdAt());
    Session u2 = store.updateSession(s.id(), null, "rust");
    assertEquals("New", u2.name());
    assertEquals("rust", u2.language());
    assertEquals(3, u2.version());
    assertEquals(u2, store.access(s.id(), me.id()).orElseThrow().session());
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.updateSession(JdbcStore.newId(), "x", null)));
    assertEquals(StoreException.Code.INVALID, code(() -> store.updateSession(s.id(), "", null)));
    assertEquals(3, store.access(s.id(), me.id()).orElseThrow().session().version());
  }

  @Test
  void deleteSessionTakesEverythingWithIt() throws Exception {
    User me = user("me"), friend = user("friend");
    Session s = session(me, "Doomed", "python", text("main.py", "print(1)"), text("a/b.txt", "bb"));
    Session keep = session(me, "Kept", "python", text("k.py", "k"));
    Share link = store.createShare(s.id(), SessionAccess.EDITOR, me.id());
    store.addMember(s.id(), friend.id(), SessionAccess.EDITOR, link.token());
    String snap = store.putBlob("{}".getBytes(UTF_8));
    RunRecord r = newRun(s, me, snap, 5);
    store.startRun(r);
    store.appendChunks(r.id(), List.of(new Chunk(1, "stdout", "hello")));
    assertEquals(8 + 2 + 1, store.userBytes(me.id()));

    assertTrue(store.deleteSession(s.id()));
    assertFalse(store.deleteSession(s.id()));
    assertEquals(Optional.empty(), store.access(s.id(), me.id()));
    assertEquals(Optional.empty(), store.access(s.id(), friend.id()));
    assertEquals(List.of(), store.listFiles(s.id()));
    assertEquals(List.of(), store.shares(s.id()));
    assertEquals(Optional.empty(), store.share(link.token()));
    assertEquals(Optional.empty(), store.run(r.id()));
    assertEquals(List.of(), store.chunks(r.id()));
    assertEquals(0, store.listRuns(s.id(), 0, 10).total());
    assertEquals(1, store.userBytes(me.id()));
    assertEquals(List.of(keep.id()), ids(store.listSessions(me.id(), null, null, 0, 10)));
    assertEquals(0, count("SELECT COUNT(*) FROM files WHERE session_id = '" + s.id() + "'"));
    assertEquals(0, count("SELECT COUNT(*) FROM members WHERE session_id = '" + s.id() + "'"));
    assertEquals(0, count("SELECT COUNT(*) FROM run_chunks WHERE run_id = '" + r.id() + "'"));
    // the blob stays until a sweep after the grace period (blobs are shared by content)
    assertTrue(store.blob(snap).isPresent());
  }


  // ---- search (q) ----

  /** The sessions of a page, as a set of ids. */
  protected static Set<String> found(Page<SessionAccess> page) {
    return Set.copyOf(ids(page));
  }

  /**
   * What q must find, worked out here from what the test stored: the name or a text file contains
   * q, both lowercased with Locale.ROOT. Binary files (and "text" that is not UTF-8 or holds NUL,
   * which the store keeps as bytes) are not text.
   */
  private static Set<String> expected(Map<String, String> names, Map<String, List<String>> texts, String q) {
    String p = q.toLowerCase(Locale.ROOT);
    Set<String> out = new HashSet<>();
    for (var e : names.entrySet()) {
      if (e.getValue().toLowerCase(Locale.ROOT).contains(p)) out.add(e.getKey());
      for (String t : texts.getOrDefault(e.getKey(), List.of())) if (t.toLowerCase(Locale.ROOT).contains(p)) out.add(e.getKey());
    }
    return out;
  }

  @Test
  void searchFindsTheSameSessionsThroughTheTrigramIndexAndTheScan() {
    Store index = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_INDEX);
    Store scan = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_SCAN);
    // the dialect's own limits on the index, for a user of any size (the default asks it only from 1 MiB)
    Store dialect = open(config(), clock::incrementAndGet, new JdbcStore.SearchTuning(0, -1, JdbcStore.SearchTuning.INDEX_BUDGET_NANOS));
    User me = user("searcher"), other = user("other");
    Map<String, String> names = new LinkedHashMap<>();
    Map<String, List<String>> texts = new LinkedHashMap<>();
    String[][] sessions = {
        {"Alpha Beta", "say \"hi\" to 100% of a_b\nthe END", "x*y (a OR b) col:val ^start NEAR(a b) -neg C:\\path 'quote' \"\"\" {}"},
        {"Ünïcode Straße", "İstanbul 日本語 😀x\tTAB", "line1\nline2   three spaces", "ΣΊΣΥΦΟΣ ǅ ﬁle"},
        {"Quick Sort", "def quicksort(xs):\n    return xs", "QUICK brown fox"},
        {"nothing here", ""},
        {"Bang", "wow! 50%_off !! a!b"},
    };
    for (String[] def : sessions) {
      List<FileWrite> files = new ArrayList<>();
      List<String> t = new ArrayList<>();
      for (int i = 1; i < def.length; i++) {
        files.add(text("f" + i + ".txt", def[i]));
        t.add(def[i]);
      }
      Session s = store.createSession(me.id(), def[0], "python", files);
      names.put(s.id(), def[0]);
      texts.put(s.id(), t);
    }
    // bytes that are not searchable text: a binary file, invalid UTF-8, NUL
    Session bin = session(me, "Bytes", "c", new FileWrite("b.bin", "hidden needle".getBytes(UTF_8), true),
        new FileWrite("bad.txt", new byte[] {'a', 'b', 'c', 'd', (byte) 0xff}, false), text("nul.txt", "nul\0needle"));
    names.put(bin.id(), "Bytes");
    // shared with me: searched; someone else's, not shared: never
    Session shared = session(other, "Shared", "python", text("s.txt", "shared needle, abcd"));
    store.addMember(shared.id(), me.id(), SessionAccess.VIEWER, null);
    names.put(shared.id(), "Shared");
    texts.put(shared.id(), List.of("shared needle, abcd"));
    session(other, "Alpha elsewhere", "python", text("x.txt", "say \"hi\" quick needle abcd"));

    List<String> queries = List.of(
        // 1 and 2 characters (always a scan), 3 and more (the index when it may)
        "a", "Z", "ß", "😀", "hi", "ab", "zq", "日本", "abc", "abcd", "needle", "hidden", "nul",
        "quick", "QUICKSORT", "uicks", "brown fox", "Alpha", "alpha b", "sort", "the end",
        // each word is there, not the whole q
        "quick fox", "say hi", "return ys", "needle abcd",
        // what LIKE, FTS5 query syntax or SQL would read as syntax is plain text in q
        "\"hi\"", "say \"hi\"", "\"\"\"", "\"", "100%", "%", "0% o", "a_b", "_", "x*y", "*", "(a OR b)", "a OR b", "OR",
        "col:val", "^start", "NEAR(a b)", "-neg", "C:\\path", "\\", "'quote'", "'", "{}", "';--",
        // PostgreSQL's LIKE escape character, alone and next to the wildcards it escapes
        "!", "!!", "a!b", "w!", "%_", "0%_o", "!%", "!! a", "%_of", "!b", "k!",
        // whitespace, line breaks, non-ASCII and case folding
        "   ", "  three", "e1\nli", "\ttab", "ünïcode", "ÜNÏCODE STRASSE", "straße", "İstanbul", "i̇stanbul", "日本語", "本語",
        "😀x", "σίσυφος", "ΣΊΣΥΦΟΣ", "ǆ", "ﬁle", "file", "no such thing anywhere");
    int hits = 0;
    for (String q : queries) {
      Set<String> want = expected(names, texts, q);
      hits += want.size();
      assertEquals(want, found(store.listSessions(me.id(), q, null, 0, 100)), "default, q=" + q);
      assertEquals(want, found(index.listSessions(me.id(), q, null, 0, 100)), "index, q=" + q);
      assertEquals(want, found(scan.listSessions(me.id(), q, null, 0, 100)), "scan, q=" + q);
      assertEquals(want, found(dialect.listSessions(me.id(), q, null, 0, 100)), "dialect limits, q=" + q);
      assertEquals(want.size(), index.listSessions(me.id(), q, null, 0, 1).total(), "index total, q=" + q);
      // the count comes with the page, or after it when the page is past the end
      assertEquals(want.size(), scan.listSessions(me.id(), q, null, 0, 1).total(), "scan total, q=" + q);
      assertEquals(want.size(), scan.listSessions(me.id(), q, null, want.size() + 3, 2).total(), "scan total past the end, q=" + q);
      assertEquals(List.of(), scan.listSessions(me.id(), q, null, want.size(), 2).items(), "nothing past the end, q=" + q);
    }
    assertTrue(hits > 40, "the queries find something: " + hits);
    // NUL is in no name or text (and PostgreSQL refuses it in a parameter)
    assertEquals(0, index.listSessions(me.id(), "nul\0needle", null, 0, 10).total());
    assertEquals(0, scan.listSessions(me.id(), "\0", null, 0, 10).total());
  }

  @Test
  void searchFollowsFileWritesRenamesDeletesAndSessionDeletes() {
    Store index = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_INDEX);
    Store scan = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_SCAN);
    User me = user("tracker");
    Session s = session(me, "Tracker", "python", text("a.txt", "first needle"));
    Session keep = session(me, "Keeper", "python", text("k.txt", "kept needle"));
    java.util.function.Function<String, Set<String>> find = q -> {
      Set<String> viaIndex = found(index.listSessions(me.id(), q, null, 0, 100));
      assertEquals(viaIndex, found(scan.listSessions(me.id(), q, null, 0, 100)), "index and scan agree on q=" + q);
      return viaIndex;
    };
    assertEquals(Set.of(s.id(), keep.id()), find.apply("needle"));

    store.writeFile(s.id(), "a.txt", "now a haystack".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(Set.of(keep.id()), find.apply("needle"));
    assertEquals(Set.of(s.id()), find.apply("haystack"));

    store.renameFile(s.id(), "a.txt", "dir/b.txt");
    assertEquals(Set.of(s.id()), find.apply("haystack"));
    store.writeFile(s.id(), "dir/b.txt", "haystack two".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(Set.of(s.id()), find.apply("k two"));
    assertEquals(Set.of(), find.apply("now a"));
    store.renameFile(s.id(), "dir", "lib");
    assertEquals(Set.of(s.id()), find.apply("stack two"));
    assertEquals(1, store.deleteFile(s.id(), "lib"));
    assertEquals(Set.of(), find.apply("haystack"));

    // text -> binary -> text at one path
    store.writeFile(s.id(), "x", "needle in bytes".getBytes(UTF_8), true, null, FileLimits.NONE);
    assertEquals(Set.of(keep.id()), find.apply("needle"));
    store.writeFile(s.id(), "x", "needle in text".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(Set.of(s.id(), keep.id()), find.apply("needle"));
    assertEquals(Set.of(s.id()), find.apply("e in t"));
    store.writeFile(s.id(), "x", "needle in bytes again".getBytes(UTF_8), true, null, FileLimits.NONE);
    assertEquals(Set.of(keep.id()), find.apply("needle"));

    // the name: renaming the session changes what q finds
    store.writeFile(s.id(), "c.txt", "still here".getBytes(UTF_8), false, null, FileLimits.NONE);
    store.updateSession(s.id(), "Renamed Needle", null);
    assertEquals(Set.of(s.id(), keep.id()), find.apply("needle"));
    assertEquals(Set.of(), find.apply("tracker"));

    // a deleted session is found by nothing, its files' texts included
    assertTrue(store.deleteSession(s.id()));
    assertEquals(Set.of(keep.id()), find.apply("needle"));
    assertEquals(Set.of(), find.apply("still here"));
    assertEquals(Set.of(), find.apply("renamed"));
  }

  /**
   * The session's search_text as its parts (sorted: the order of the files is not kept), or null
   * when it has none; its search_grams are checked to be those of the parts (or null with it).
   */
  private List<String> searchTextParts(StoreConfig config, String sessionId) throws SQLException {
    try (Connection c = raw(config);
         PreparedStatement ps = c.prepareStatement("SELECT search_text, search_grams, search_version, version FROM sessions WHERE id = ?")) {
      ps.setString(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "session " + sessionId);
        String t = rs.getString(1);
        byte[] grams = rs.getBytes(2);
        if (t == null) {
          assertNull(grams, "search_grams without search_text");
          return null;
        }
        assertEquals(rs.getLong(4), rs.getLong(3), "search_version is the row's version");
        assertArrayEquals(SearchText.grams(t.isEmpty() ? List.of() : List.of(t.split(String.valueOf(SearchText.SEPARATOR), -1))), grams,
            "search_grams of " + t);
        if (t.isEmpty()) return List.of();
        List<String> parts = new ArrayList<>(List.of(t.split(String.valueOf(SearchText.SEPARATOR), -1)));
        java.util.Collections.sort(parts);
        return parts;
      }
    }
  }

  @Test
  void aSmallSessionKeepsItsFoldedTextsInOneColumnThroughEveryKindOfChange() throws Exception {
    Store scan = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_SCAN);
    User me = user("texts");
    Session s = session(me, "Texts", "python", text("a.txt", "Alpha ONE"), text("b.txt", "Beta"),
        new FileWrite("c.bin", "binary needle".getBytes(UTF_8), true), new FileWrite("d.txt", new byte[] {'x', (byte) 0xff}, false));
    assertEquals(List.of("alpha one", "beta"), searchTextParts(config(), s.id()), "created: the texts, folded; no binary or undecodable file");
    Session empty = store.createSession(me.id(), "Empty", "python", List.of());
    assertEquals(List.of(), searchTextParts(config(), empty.id()), "no files: empty, not NULL (NULL would mean: search file by file)");

    store.writeFile(s.id(), "a.txt", "Alpha TWO".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(List.of("alpha two", "beta"), searchTextParts(config(), s.id()), "written");
    store.writeFile(s.id(), "dir/e.txt", "Gamma".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(List.of("alpha two", "beta", "gamma"), searchTextParts(config(), s.id()), "added");
    store.renameFile(s.id(), "dir", "lib");
    assertEquals(List.of("alpha two", "beta", "gamma"), searchTextParts(config(), s.id()), "renamed");
    store.writeFile(s.id(), "b.txt", "now bytes".getBytes(UTF_8), true, null, FileLimits.NONE);
    assertEquals(List.of("alpha two", "gamma"), searchTextParts(config(), s.id()), "text to binary");
    assertEquals(1, store.deleteFile(s.id(), "lib"));
    assertEquals(List.of("alpha two"), searchTextParts(config(), s.id()), "deleted");
    assertEquals(Set.of(s.id()), found(scan.listSessions(me.id(), "alpha two", null, 0, 10)));
    assertEquals(Set.of(), found(scan.listSessions(me.id(), "gamma", null, 0, 10)));

    // over SEARCH_TEXT_MAX_BYTES of files: NULL, and the session is searched file by file; back under: kept again
    byte[] big = ("big needle " + "z".repeat((int) SearchText.MAX_BYTES)).getBytes(UTF_8);
    store.writeFile(s.id(), "big.txt", big, false, null, FileLimits.NONE);
    assertNull(searchTextParts(config(), s.id()), "over the limit");
    assertEquals(Set.of(s.id()), found(scan.listSessions(me.id(), "big needle", null, 0, 10)));
    assertEquals(Set.of(s.id()), found(scan.listSessions(me.id(), "alpha two", null, 0, 10)));
    assertEquals(Set.of(), found(scan.listSessions(me.id(), "needle z!", null, 0, 10)));
    assertEquals(1, store.deleteFile(s.id(), "big.txt"));
    assertEquals(List.of("alpha two"), searchTextParts(config(), s.id()), "under the limit again");
    assertEquals(Set.of(), found(scan.listSessions(me.id(), "big needle", null, 0, 10)));
  }

  @Test
  void aVeryLongQIsMatchedAsExactlyAsAShortOne() {
    Store scan = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_SCAN);
    User me = user("longq");
    String run = "a".repeat(6_000);
    Session s = session(me, "Long", "python", text("l.txt", run + "%_!end"));
    // past what SQLite takes as a LIKE pattern the matcher changes (Database.Sqlite.MAX_LIKE_CHARS); the answer may not
    for (Store st : List.of(scan, store)) {
      assertEquals(Set.of(s.id()), found(st.listSessions(me.id(), run.substring(0, 5_500) + "%_!end", null, 0, 10)));
      assertEquals(Set.of(), found(st.listSessions(me.id(), run.substring(0, 5_500) + "%_?end", null, 0, 10)));
      assertEquals(Set.of(), found(st.listSessions(me.id(), run.substring(0, 5_500) + "b", null, 0, 10)));
      assertEquals(Set.of(s.id()), found(st.listSessions(me.id(), "A".repeat(4_999) + "%_!", null, 0, 10)));
      assertEquals(Set.of(), found(st.listSessions(me.id(), "a".repeat(4_999) + "%x!", null, 0, 10)));
    }
  }

  @Test
  void aFileChangedByAnEarlierReleaseIsFoundThoughItsSearchCopyWasNotRewritten() throws Exception {
    Store scan = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_SCAN);
    User me = user("rolling");
    Session s = session(me, "Rolling", "python", text("a.txt", "old needle"));
    store.updateSession(s.id(), "Rolling upgrade", null); // a change to the row alone keeps the copy in use
    assertEquals(List.of("old needle"), searchTextParts(config(), s.id()));
    // what a gateway without search_text does on a write: the file, and the session's version
    try (Connection c = raw(config()); Statement st = c.createStatement()) {
      st.execute("UPDATE files SET text = 'new haystack', text_lc = 'new haystack', size = 12 WHERE session_id = '" + s.id() + "'");
      st.execute("UPDATE sessions SET version = version + 1 WHERE id = '" + s.id() + "'");
    }
    assertEquals(Set.of(s.id()), found(scan.listSessions(me.id(), "haystack", null, 0, 10)));
    assertEquals(Set.of(s.id()), found(scan.listSessions(me.id(), "ha", null, 0, 10)));
    assertEquals(Set.of(), found(scan.listSessions(me.id(), "needle", null, 0, 10)));
    assertEquals(Set.of(), found(scan.listSessions(me.id(), "dl", null, 0, 10)));
    // the next write of this release makes the copy current again
    store.writeFile(s.id(), "b.txt", "more".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(List.of("more", "new haystack"), searchTextParts(config(), s.id()));
    assertEquals(Set.of(s.id()), found(scan.listSessions(me.id(), "haystack", null, 0, 10)));
  }

  @Test
  void theSearchNeverMatchesAcrossTwoFilesOfOneSession() throws Exception {
    Store scan = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_SCAN);
    Store index = open(config(), clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_INDEX);
    User me = user("seams");
    char sep = SearchText.SEPARATOR;
    Session s = session(me, "Seams", "python", text("a.txt", "endofa"), text("b.txt", "startofb"));
    // a text may itself hold the separator: found by a q that holds it, searched file by file
    Session odd = session(me, "Odd", "python", text("o.txt", "left" + sep + "right"));
    assertEquals(2, searchTextParts(config(), s.id()).size());
    for (Store st : List.of(scan, index, store)) {
      for (String q : List.of("ofastart", "astart", "as", "ofbendofa", "bendo", "be", "a" + sep + "s", "b" + sep + "e", String.valueOf(sep))) {
        Set<String> want = q.equals(String.valueOf(sep)) ? Set.of(odd.id()) : Set.of();
        assertEquals(want, found(st.listSessions(me.id(), q, null, 0, 10)), "q=" + q.replace(sep, '~'));
      }
      assertEquals(Set.of(odd.id()), found(st.listSessions(me.id(), "t" + sep + "r", null, 0, 10)));
      assertEquals(Set.of(s.id()), found(st.listSessions(me.id(), "ofa", null, 0, 10)));
      assertEquals(Set.of(s.id()), found(st.listSessions(me.id(), "sta", null, 0, 10)));
    }
  }

  @Test
  void aDatabaseAtVersion1MigratesForwardWithItsTextsSearchableAndItsBlobsDated() throws Exception {
    StoreConfig fresh = freshConfig();
    Flyway.configure(getClass().getClassLoader()).dataSource(fresh.jdbcUrl(), fresh.user(), fresh.password())
        .locations("classpath:db/migration/common").placeholders(Map.of("bytes", bytesType())).target("1").load().migrate();
    try (Connection c = raw(fresh); Statement st = c.createStatement()) {
      st.execute("INSERT INTO users (id, username, password_hash, guest, created_at, bytes) VALUES ('u1', 'old', NULL, TRUE, 1, 60)");
      st.execute("INSERT INTO sessions (id, owner_id, name, name_lc, language, created_at, updated_at, version, bytes) "
          + "VALUES ('s1', 'u1', 'Old Project', 'old project', 'python', 1, 2, 1, 40), ('s2', 'u1', 'Other', 'other', 'c', 1, 1, 1, 20)");
      st.execute("INSERT INTO files (session_id, path, text, text_lc, data, is_binary, size, version, updated_at) VALUES "
          + "('s1', 'main.py', 'print(\"Migrated Needle\")', 'print(\"migrated needle\")', NULL, FALSE, 24, 1, 1), "
          + "('s1', 'lib/b.py', 'x = 1', 'x = 1', NULL, FALSE, 5, 1, 1), "
          + "('s2', 'main.c', 'int main(void) { return 0; }', 'int main(void) { return 0; }', NULL, FALSE, 20, 1, 1)");
      st.execute("INSERT INTO blobs (hash, data, size, created_at) VALUES ('" + "a".repeat(64) + "', " + (expectedDialect().equals("sqlite") ? "X'7B7D'" : "'\\x7b7d'::bytea") + ", 2, 1234)");
      st.execute("INSERT INTO runs (id, session_id, user_id, language, snapshot, stdin, started_at, status, transcript_cap) "
          + "VALUES ('r1', 's1', 'u1', 'python', '" + "a".repeat(64) + "', NULL, 1, 'exited', 64)");
    }
    Store index = open(fresh, clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_INDEX);
    Store scan = open(fresh, clock::incrementAndGet, JdbcStore.SearchTuning.ALWAYS_SCAN);
    for (Store s : List.of(index, scan)) {
      assertEquals(List.of("s1"), ids(s.listSessions("u1", "MIGRATED needle", null, 0, 10)));
      assertEquals(List.of("s2"), ids(s.listSessions("u1", "return 0", null, 0, 10)));
      assertEquals(List.of("s1"), ids(s.listSessions("u1", "old proj", null, 0, 10)));
      assertEquals(List.of("s2"), ids(s.listSessions("u1", "main", null, 0, 10)));
      assertEquals(List.of("s1", "s2"), ids(s.listSessions("u1", "in", null, 0, 10)));
    }
    // V6 filled search_text for the sessions that were there (the scans above read it)
    assertEquals(List.of("print(\"migrated needle\")", "x = 1"), searchTextParts(fresh, "s1"));
    assertEquals(List.of("int main(void) { return 0; }"), searchTextParts(fresh, "s2"));
    // rows written after the migration are searchable too, and the old rows still follow changes
    index.writeFile("s1", "main.py", "print('replaced')".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(0, index.listSessions("u1", "migrated", null, 0, 10).total());
    assertEquals(List.of("s1"), ids(index.listSessions("u1", "replaced", null, 0, 10)));
    try (Connection c = raw(fresh); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT put_at FROM blobs WHERE hash = '" + "a".repeat(64) + "'")) {
      assertTrue(rs.next());
      assertEquals(1234, rs.getLong(1), "a blob's put_at starts from its created_at");
    }
    assertSearchIndexCovers(fresh, 3);
  }

  /** The dialect's trigram index exists and holds the {@code textFiles} text files of the database. */
  protected abstract void assertSearchIndexCovers(StoreConfig config, int textFiles) throws Exception;

  // ---- the caller's role in the list ----

  @Test
  void listSessionsSaysTheCallersRoleInEachSession() {
    User owner = user("owner"), me = user("me");
    Session mine = session(me, "mine", "python");
    Session edit = session(owner, "edit", "python"), run = session(owner, "run", "python"), view = session(owner, "view", "python");
    Share viewLink = store.createShare(edit.id(), SessionAccess.VIEWER, owner.id());
    store.addMember(edit.id(), me.id(), SessionAccess.VIEWER, viewLink.token());
    store.addMember(edit.id(), me.id(), SessionAccess.EDITOR, null); // the highest of two memberships
    store.addMember(run.id(), me.id(), SessionAccess.RUNNER, null);
    store.addMember(view.id(), me.id(), SessionAccess.VIEWER, null);
    Map<String, String> roles = new LinkedHashMap<>();
    for (SessionAccess a : store.listSessions(me.id(), null, null, 0, 10).items()) roles.put(a.session().id(), a.role());
    assertEquals(Map.of(mine.id(), SessionAccess.OWNER, edit.id(), SessionAccess.EDITOR, run.id(), SessionAccess.RUNNER,
        view.id(), SessionAccess.VIEWER), roles);
    // the same role as access() gives, and the owner sees "owner"
    for (SessionAccess a : store.listSessions(me.id(), null, null, 0, 10).items()) {
      assertEquals(store.access(a.session().id(), me.id()).orElseThrow(), a);
    }
    assertEquals(SessionAccess.OWNER, store.listSessions(owner.id(), "edit", null, 0, 10).items().get(0).role());
    assertEquals(SessionAccess.RUNNER, store.listSessions(me.id(), "run", null, 0, 10).items().get(0).role());
  }

  // ---- the quota on create ----

  @Test
  void createSessionChecksTheUsersQuotaInItsTransaction() throws Exception {
    User me = user("quota");
    FileLimits limits = new FileLimits(50, 80, 100);
    session(me, "Q1", "python");
    store.createSession(me.id(), "Q2", "python", List.of(text("a", "x".repeat(50)), text("b", "y".repeat(10))), limits);
    assertEquals(60, store.userBytes(me.id()));
    assertEquals(StoreException.Code.QUOTA, code(() -> store.createSession(me.id(), "Q3", "python", List.of(text("a", "z".repeat(41))), limits)));
    assertEquals(StoreException.Code.TOO_LARGE, code(() -> store.createSession(me.id(), "Q4", "python", List.of(text("a", "z".repeat(51))), limits)));
    assertEquals(StoreException.Code.TOO_LARGE, code(() -> store.createSession(me.id(), "Q5", "python",
        List.of(text("a", "z".repeat(50)), text("b", "z".repeat(31))), limits)));
    assertEquals(60, store.userBytes(me.id()), "refused creates store nothing");
    assertEquals(2, store.listSessions(me.id(), null, null, 0, 10).total());
    store.createSession(me.id(), "Q6", "python", List.of(text("a", "z".repeat(40))), limits); // exactly at the limit
    store.createSession(me.id(), "Q7", "python", List.of(), limits); // nothing more: still fine
    assertEquals(StoreException.Code.QUOTA, code(() -> store.createSession(me.id(), "Q8", "python", List.of(text("a", "!")), limits)));
    assertEquals(100, store.userBytes(me.id()));

    // creates and writes at once, through two stores: together they stay within the quota
    User racer = user("racer");
    Session s = session(racer, "R", "python");
    Store second = open(config());
    FileLimits room = new FileLimits(300, 1_000, 1_000);
    List<Object> outcomes = race(8, k -> {
      Store st = k % 2 == 0 ? store : second;
      if (k % 3 == 0) return st.writeFile(s.id(), "w" + k, new byte[300], false, null, room);
      return st.createSession(racer.id(), "R" + k, "python", List.of(new FileWrite("f", new byte[300], false)), room);
    });
    long ok = outcomes.stream().filter(o -> !(o instanceof StoreException)).count();
    assertEquals(3, ok, "1000 bytes hold three 300-byte files: " + outcomes);
    assertTrue(outcomes.stream().filter(o -> o instanceof StoreException).allMatch(o -> ((StoreException) o).code() == StoreException.Code.QUOTA));
    assertEquals(900, store.userBytes(racer.id()));
    long sessionsMade = outcomes.stream().filter(o -> o instanceof Session).count();
    assertEquals(1 + sessionsMade, store.listSessions(racer.id(), null, null, 0, 10).total());
  }

  // ---- files ----

  @Test
  void filesCrud() {
    User me = user("me");
    Session s = session(me, "Files", "python");
    long before = store.access(s.id(), me.id()).orElseThrow().session().version();
    FileMeta m1 = store.writeFile(s.id(), "src/main.py", "v1".getBytes(UTF_8), false, 0L, FileLimits.NONE);
    assertEquals(new FileMeta("src/main.py", 2, false, 1, m1.updatedAt()), m1);
    FileMeta m2 = store.writeFile(s.id(), "src/main.py", "v2!".getBytes(UTF_8), false, 1L, FileLimits.NONE);
    assertEquals(2, m2.version());
    assertEquals(3, m2.size());
    FileMeta m3 = store.writeFile(s.id(), "src/main.py", "v3".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertEquals(3, m3.version());
    assertEquals(List.of(m3), store.listFiles(s.id()));
    FileContent fc = store.readFile(s.id(), "src/main.py").orElseThrow();
    assertEquals(m3, fc.meta());
    assertEquals("v3", new String(fc.content(), UTF_8));
    Session after = store.access(s.id(), me.id()).orElseThrow().session();
    assertEquals(before + 3, after.version(), "file changes bump the session's version");
    assertTrue(after.updatedAt() >= m3.updatedAt());
    assertEquals(2, store.userBytes(me.id()));

    assertEquals(Optional.empty(), store.readFile(s.id(), "nope.py"));
    assertEquals(Optional.empty(), store.readFile(JdbcStore.newId(), "src/main.py"));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.writeFile(JdbcStore.newId(), "a", new byte[1], false, null, FileLimits.NONE)));
    for (String bad : List.of("", "/abs", "a//b", "a/./b", "../x", "a/..", "tab\there", "trailing/")) {
      assertEquals(StoreException.Code.INVALID, code(() -> store.writeFile(s.id(), bad, new byte[1], false, null, FileLimits.NONE)), bad);
    }
    // a path is a file or a directory, never both
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.writeFile(s.id(), "src", new byte[1], false, null, FileLimits.NONE)));
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.writeFile(s.id(), "src/main.py/x", new byte[1], false, null, FileLimits.NONE)));
    assertEquals(1, store.deleteFile(s.id(), "src/main.py"));
    assertEquals(List.of(), store.listFiles(s.id()));
    assertEquals(0, store.userBytes(me.id()));
    assertEquals(0, store.deleteFile(s.id(), "src/main.py"));
  }

  @Test
  void binaryAndOddTextRoundTrip() {
    User me = user("me");
    Session s = session(me, "Bytes", "c");
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) all[i] = (byte) i;
    store.writeFile(s.id(), "all.bin", all, true, null, FileLimits.NONE);
    FileContent b = store.readFile(s.id(), "all.bin").orElseThrow();
    assertArrayEquals(all, b.content());
    assertTrue(b.meta().binary());
    assertEquals(256, b.meta().size());
    // "text" that is not UTF-8, or holds NUL, comes back byte for byte and still says text
    byte[] latin1 = "caf\u00e9".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] nul = "a\0b".getBytes(UTF_8);
    byte[] emoji = "\uD83D\uDE00 \u00e9\r\n\uFEFF".getBytes(UTF_8);
    store.writeFile(s.id(), "latin1.txt", latin1, false, null, FileLimits.NONE);
    store.writeFile(s.id(), "nul.txt", nul, false, null, FileLimits.NONE);
    store.writeFile(s.id(), "emoji.txt", emoji, false, null, FileLimits.NONE);
    store.writeFile(s.id(), "empty.txt", new byte[0], false, null, FileLimits.NONE);
    store.writeFile(s.id(), "empty.bin", new byte[0], true, null, FileLimits.NONE);
    assertArrayEquals(latin1, store.readFile(s.id(), "latin1.txt").orElseThrow().content());
    assertFalse(store.readFile(s.id(), "latin1.txt").orElseThrow().meta().binary());
    assertArrayEquals(nul, store.readFile(s.id(), "nul.txt").orElseThrow().content());
    assertArrayEquals(emoji, store.readFile(s.id(), "emoji.txt").orElseThrow().content());
    assertArrayEquals(new byte[0], store.readFile(s.id(), "empty.txt").orElseThrow().content());
    assertArrayEquals(new byte[0], store.readFile(s.id(), "empty.bin").orElseThrow().content());
    assertEquals(256 + 4 + 3 + emoji.length, store.userBytes(me.id()));
    // a binary file becomes text and back
    store.writeFile(s.id(), "all.bin", "now text".getBytes(UTF_8), false, null, FileLimits.NONE);
    assertFalse(store.readFile(s.id(), "all.bin").orElseThrow().meta().binary());
    assertEquals("now text", content(s, "all.bin"));
  }

  @Test
  void renameFileAndDirectory() {
    User me = user("me");
    Session s = session(me, "Rename", "python", text("a.py", "A"), text("dir/x.py", "X"), text("dir/sub/y.py", "Y"),
        text("dir2/z.py", "Z"), text("dirx.py", "D"));
    store.renameFile(s.id(), "a.py", "b.py");
    assertEquals("A", content(s, "b.py"));
    assertEquals(2, store.readFile(s.id(), "b.py").orElseThrow().meta().version());
    assertEquals(Optional.empty(), store.readFile(s.id(), "a.py"));

    store.renameFile(s.id(), "dir", "lib/pkg");
    assertEquals(List.of("b.py", "dir2/z.py", "dirx.py", "lib/pkg/sub/y.py", "lib/pkg/x.py"), paths(s));
    assertEquals("Y", content(s, "lib/pkg/sub/y.py"));
    // a trailing slash names the directory too
    store.renameFile(s.id(), "lib/pkg/", "pkg");
    assertEquals(List.of("b.py", "dir2/z.py", "dirx.py", "pkg/sub/y.py", "pkg/x.py"), paths(s));

    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.renameFile(s.id(), "nope", "other")));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.renameFile(s.id(), "pk", "other")));
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.renameFile(s.id(), "b.py", "dirx.py")));
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.renameFile(s.id(), "b.py", "pkg")));
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.renameFile(s.id(), "pkg", "dir2")));
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.renameFile(s.id(), "pkg", "b.py/inner")));
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.renameFile(s.id(), "pkg/x.py", "pkg")));
    assertEquals(StoreException.Code.INVALID, code(() -> store.renameFile(s.id(), "pkg", "pkg/sub/deeper")));
    assertEquals(StoreException.Code.INVALID, code(() -> store.renameFile(s.id(), "pkg", "../up")));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.renameFile(JdbcStore.newId(), "b.py", "c.py")));
    assertEquals(List.of("b.py", "dir2/z.py", "dirx.py", "pkg/sub/y.py", "pkg/x.py"), paths(s), "failed renames change nothing");
    store.renameFile(s.id(), "b.py", "b.py");
    assertEquals(2, store.readFile(s.id(), "b.py").orElseThrow().meta().version());
    // the names searched move with the files; sizes do not change
    assertEquals(5, store.userBytes(me.id()));
  }

  @Test
  void deleteFileOrPrefix() {
    User me = user("me");
    Session s = session(me, "Delete", "python", text("src/a.py", "aa"), text("src/deep/b.py", "bbb"), text("src2/c.py", "c"),
        text("srcx.py", "x"), text("main.py", "m"));
    assertEquals(2, store.deleteFile(s.id(), "src"));
    assertEquals(List.of("main.py", "src2/c.py", "srcx.py"), paths(s));
    assertEquals(3, store.userBytes(me.id()));
    assertEquals(0, store.deleteFile(s.id(), "src"));
    assertEquals(0, store.deleteFile(s.id(), "sr"));
    assertEquals(1, store.deleteFile(s.id(), "src2/"));
    assertEquals(1, store.deleteFile(s.id(), "main.py"));
    assertEquals(List.of("srcx.py"), paths(s));
    assertEquals(StoreException.Code.INVALID, code(() -> store.deleteFile(s.id(), "../x")));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.deleteFile(JdbcStore.newId(), "x")));
  }

  @Test
  void expectedVersionConflicts() {
    User me = user("me");
    Session s = session(me, "Versions", "python");
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.writeFile(s.id(), "f", new byte[1], false, 3L, FileLimits.NONE)));
    store.writeFile(s.id(), "f", "one".getBytes(UTF_8), false, 0L, FileLimits.NONE);
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.writeFile(s.id(), "f", new byte[1], false, 0L, FileLimits.NONE)));
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.writeFile(s.id(), "f", new byte[1], false, 2L, FileLimits.NONE)));
    assertEquals(StoreException.Code.INVALID, code(() -> store.writeFile(s.id(), "f", new byte[1], false, -1L, FileLimits.NONE)));
    assertEquals("one", content(s, "f"));
    assertEquals(1, store.readFile(s.id(), "f").orElseThrow().meta().version());
  }

  @Test
  void twoWritersWithTheSameExpectedVersionOneWins() throws Exception {
    User me = user("me");
    Session s = session(me, "Race", "python", text("f.py", "base"));
    Store second = open(config()); // a second gateway
    for (int round = 1; round <= 5; round++) {
      long expected = round;
      List<Object> outcomes = race(4, k -> (k % 2 == 0 ? store : second)
          .writeFile(s.id(), "f.py", ("writer " + k).getBytes(UTF_8), false, expected, FileLimits.NONE));
      List<FileMeta> won = outcomes.stream().filter(o -> o instanceof FileMeta).map(o -> (FileMeta) o).toList();
      assertEquals(1, won.size(), "exactly one writer wins: " + outcomes);
      assertEquals(round + 1, won.get(0).version());
      for (Object o : outcomes) {
        if (!(o instanceof FileMeta)) assertEquals(StoreException.Code.CONFLICT, assertInstanceOf(StoreException.class, o).code());
      }
      int winner = outcomes.indexOf(won.get(0));
      assertEquals("writer " + winner, content(s, "f.py"));
    }
  }

  @Test
  void limitsRefuseAndChangeNothing() {
    User me = user("me");
    Session s1 = session(me, "Q1", "python", text("a.txt", "12345"));
    Session s2 = session(me, "Q2", "python");
    FileLimits limits = new FileLimits(10, 12, 20);
    assertEquals(StoreException.Code.TOO_LARGE, code(() -> store.writeFile(s1.id(), "a.txt", new byte[11], false, null, limits)));
    assertEquals(StoreException.Code.TOO_LARGE, code(() -> store.writeFile(s1.id(), "big.txt", new byte[11], false, null, limits)));
    store.writeFile(s1.id(), "b.txt", new byte[7], false, null, limits); // session 12 of 12
    assertEquals(StoreException.Code.QUOTA, code(() -> store.writeFile(s1.id(), "c.txt", new byte[1], false, null, limits)));
    assertEquals(StoreException.Code.QUOTA, code(() -> store.writeFile(s1.id(), "a.txt", new byte[6], false, 1L, limits)));
    // a replacement that is not larger is fine even at the limit
    store.writeFile(s1.id(), "a.txt", "54321".getBytes(UTF_8), false, 1L, limits);
    store.writeFile(s2.id(), "x", new byte[8], false, null, limits); // user 20 of 20
    assertEquals(StoreException.Code.QUOTA, code(() -> store.writeFile(s2.id(), "y", new byte[1], false, null, limits)));
    assertEquals(20, store.userBytes(me.id()));
    assertEquals("54321", content(s1, "a.txt"));
    assertEquals(2, store.readFile(s1.id(), "a.txt").orElseThrow().meta().version());
    assertEquals(List.of("a.txt", "b.txt"), paths(s1));
    assertEquals(List.of("x"), paths(s2));
    // deleting frees room
    store.deleteFile(s1.id(), "b.txt");
    store.writeFile(s2.id(), "y", new byte[4], false, null, limits); // session 12 of 12, user 17 of 20
    assertEquals(StoreException.Code.QUOTA, code(() -> store.writeFile(s2.id(), "z", new byte[1], false, null, limits)));
    assertEquals(17, store.userBytes(me.id()));
  }

  @Test
  void concurrentWritersCannotBothPassTheQuota() throws Exception {
    User me = user("me");
    Session s1 = session(me, "C1", "python"), s2 = session(me, "C2", "python");
    Store second = open(config());
    FileLimits limits = new FileLimits(100, 1_000, 1_000);
    List<Object> outcomes = race(8, k -> (k % 2 == 0 ? store : second)
        .writeFile(k % 3 == 0 ? s2.id() : s1.id(), "f" + k, new byte[300], false, null, limits));
    long ok = outcomes.stream().filter(o -> o instanceof FileMeta).count();
    // 100 bytes per file is the limit: all eight are too large, nothing is stored
    assertEquals(0, ok);
    assertTrue(outcomes.stream().allMatch(o -> ((StoreException) o).code() == StoreException.Code.TOO_LARGE));

    FileLimits roomy = new FileLimits(300, 10_000, 1_000);
    outcomes = race(8, k -> (k % 2 == 0 ? store : second)
        .writeFile(k % 3 == 0 ? s2.id() : s1.id(), "f" + k, new byte[300], false, null, roomy));
    ok = outcomes.stream().filter(o -> o instanceof FileMeta).count();
    assertEquals(3, ok, "1000 bytes hold three 300-byte files: " + outcomes);
    assertTrue(outcomes.stream().filter(o -> !(o instanceof FileMeta)).allMatch(o -> ((StoreException) o).code() == StoreException.Code.QUOTA));
    assertEquals(900, store.userBytes(me.id()));
    assertEquals(3, store.listFiles(s1.id()).size() + store.listFiles(s2.id()).size());
  }

  // ---- sharing ----

  @Test
  void sharesCreateListRevoke() {
    User owner = user("owner"), a = user("a"), b = user("b");
    Session s = session(owner, "Share me", "python");
    Share edit = store.createShare(s.id(), SessionAccess.EDITOR, owner.id());
    Share view = store.createShare(s.id(), SessionAccess.VIEWER, owner.id());
    assertTrue(edit.token().matches("[0-9a-f]{32}"));
    assertNull(edit.revokedAt());
    assertEquals(List.of(edit, view), store.shares(s.id()));
    assertEquals(Optional.of(edit), store.share(edit.token()));
    assertEquals(Optional.empty(), store.share("nosuchtoken"));

    store.addMember(s.id(), a.id(), SessionAccess.EDITOR, edit.token());
    store.addMember(s.id(), b.id(), SessionAccess.EDITOR, edit.token());
    store.addMember(s.id(), b.id(), SessionAccess.VIEWER, view.token());
    assertEquals(SessionAccess.EDITOR, store.access(s.id(), b.id()).orElseThrow().role());

    assertFalse(store.revokeShare(JdbcStore.newId(), edit.token()), "only with its own session");
    assertTrue(store.share(edit.token()).isPresent());
    assertTrue(store.revokeShare(s.id(), edit.token()));
    assertFalse(store.revokeShare(s.id(), edit.token()));
    assertEquals(Optional.empty(), store.share(edit.token()));
    // a joined only through the revoked link: gone; b keeps what the other link gave
    assertEquals(Optional.empty(), store.access(s.id(), a.id()));
    assertEquals(SessionAccess.VIEWER, store.access(s.id(), b.id()).orElseThrow().role());
    assertEquals(List.of(s.id()), ids(store.listSessions(b.id(), null, null, 0, 10)));
    assertEquals(0, store.listSessions(a.id(), null, null, 0, 10).total());
    List<Share> listed = store.shares(s.id());
    assertEquals(2, listed.size());
    assertNotNull(listed.get(0).revokedAt());
    assertNull(listed.get(1).revokedAt());
    // a revoked link admits nobody
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.addMember(s.id(), a.id(), SessionAccess.EDITOR, edit.token())));
    assertEquals(Optional.empty(), store.access(s.id(), a.id()));

    assertEquals(StoreException.Code.INVALID, code(() -> store.createShare(s.id(), SessionAccess.OWNER, owner.id())));
    assertEquals(StoreException.Code.INVALID, code(() -> store.createShare(s.id(), "admin", owner.id())));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.createShare(JdbcStore.newId(), SessionAccess.VIEWER, owner.id())));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.createShare(s.id(), SessionAccess.VIEWER, JdbcStore.newId())));
  }

  @Test
  void aRevocationRacingJoinsLeavesNoMemberBehind() throws Exception {
    User owner = user("owner");
    Session s = session(owner, "Racy", "python");
    Share link = store.createShare(s.id(), SessionAccess.EDITOR, owner.id());
    List<User> joiners = new ArrayList<>();
    for (int i = 0; i < 7; i++) joiners.add(user("joiner"));
    Store second = open(config());
    List<Object> outcomes = race(8, k -> {
      Store st = k % 2 == 0 ? store : second;
      if (k == 0) return st.revokeShare(s.id(), link.token());
      st.addMember(s.id(), joiners.get(k - 1).id(), SessionAccess.EDITOR, link.token());
      return "joined";
    });
    assertEquals(true, outcomes.get(0));
    for (Object o : outcomes.subList(1, 8)) {
      if (!"joined".equals(o)) assertEquals(StoreException.Code.NOT_FOUND, assertInstanceOf(StoreException.class, o).code());
    }
    // whoever joined before the revocation was removed by it; whoever came after was refused
    for (User j : joiners) assertEquals(Optional.empty(), store.access(s.id(), j.id()));
    assertEquals(0, count("SELECT COUNT(*) FROM members WHERE session_id = '" + s.id() + "'"));
  }

  // ---- blobs ----

  @Test
  void blobsAreStoredOnceByContent() throws Exception {
    byte[] bytes = ("manifest " + JdbcStore.newId()).getBytes(UTF_8);
    String hash = JdbcStore.sha256(bytes);
    for (int i = 0; i < 1000; i++) assertEquals(hash, store.putBlob(bytes));
    assertEquals(1, count("SELECT COUNT(*) FROM blobs WHERE hash = '" + hash + "'"));
    assertArrayEquals(bytes, store.blob(hash).orElseThrow());
    assertTrue(hash.matches("[0-9a-f]{64}"));

    byte[] other = ("concurrent " + JdbcStore.newId()).getBytes(UTF_8);
    Store second = open(config());
    List<Object> hashes = race(8, k -> (k % 2 == 0 ? store : second).putBlob(other));
    assertEquals(Set.of(JdbcStore.sha256(other)), Set.copyOf(hashes));
    assertEquals(1, count("SELECT COUNT(*) FROM blobs WHERE hash = '" + JdbcStore.sha256(other) + "'"));

    byte[] empty = new byte[0];
    assertArrayEquals(empty, store.blob(store.putBlob(empty)).orElseThrow());
    assertEquals(Optional.empty(), store.blob("0".repeat(64)));
  }


  @Test
  void unreferencedBlobsGoAfterTheGracePeriodAndReferencedOnesStay() throws Exception {
    StoreConfig fresh = freshConfig();
    AtomicLong now = new AtomicLong(1_800_000_000_000L);
    Store s = open(fresh, now::get, JdbcStore.SearchTuning.DEFAULT);
    User me = s.createUser("blobs", null, true);
    Session kept = s.createSession(me.id(), "kept", "python", List.of());
    Session doomed = s.createSession(me.id(), "doomed", "python", List.of());
    String a = s.putBlob("file a".getBytes(UTF_8)), b = s.putBlob("file b".getBytes(UTF_8)), both = s.putBlob("in both".getBytes(UTF_8));
    String m1 = s.putBlob(("{\"a.py\":\"" + a + "\",\"s.py\":\"" + both + "\"}").getBytes(UTF_8));
    String m2 = s.putBlob(("{\"b.py\":\"" + b + "\",\"s.py\":\"" + both + "\"}").getBytes(UTF_8));
    String notAManifest = s.putBlob("not json".getBytes(UTF_8));
    String orphan = s.putBlob("orphan".getBytes(UTF_8));
    s.startRun(newRun(kept, me, m1, 1));
    s.startRun(newRun(doomed, me, m2, 2));
    s.startRun(newRun(doomed, me, m2, 3));
    s.startRun(newRun(kept, me, notAManifest, 4));
    Set<String> all = Set.of(a, b, both, m1, m2, notAManifest, orphan);
    java.util.function.Supplier<Set<String>> present = () -> all.stream().filter(h -> s.blob(h).isPresent()).collect(Collectors.toSet());

    // within the grace period after their put nothing goes, referenced or not
    now.addAndGet(Store.BLOB_GRACE_MS);
    assertEquals(0, s.deleteUnreferencedBlobs(1000));
    assertEquals(all, present.get());
    // after it, what no run references goes: the orphan
    now.addAndGet(1);
    assertEquals(1, s.deleteUnreferencedBlobs(1000));
    assertEquals(Set.of(a, b, both, m1, m2, notAManifest), present.get());
    // a deleted session's runs no longer hold their snapshot, nor the files it names, unless another run's snapshot names them too
    assertTrue(s.deleteSession(doomed.id()));
    assertEquals(2, s.deleteUnreferencedBlobs(1000));
    assertEquals(Set.of(a, both, m1, notAManifest), present.get());
    assertEquals(0, s.deleteUnreferencedBlobs(1000));
    assertEquals("file a", new String(s.blob(a).orElseThrow(), UTF_8));

    // putting bytes again vouches for them for another grace period
    String again = s.putBlob("put again".getBytes(UTF_8));
    now.addAndGet(Store.BLOB_GRACE_MS + 1);
    assertEquals(again, s.putBlob("put again".getBytes(UTF_8)));
    assertEquals(0, s.deleteUnreferencedBlobs(1000));
    assertTrue(s.blob(again).isPresent());
    now.addAndGet(Store.BLOB_GRACE_MS + 1);
    // and a pass deletes at most what it is told
    s.putBlob("o1".getBytes(UTF_8));
    s.putBlob("o2".getBytes(UTF_8));
    now.addAndGet(Store.BLOB_GRACE_MS + 1);
    assertEquals(2, s.deleteUnreferencedBlobs(2));
    assertEquals(1, s.deleteUnreferencedBlobs(2));
    assertEquals(Set.of(a, both, m1, notAManifest), present.get());
    assertEquals(Optional.empty(), s.blob(again));
  }

  // ---- runs ----

  private RunRecord newRun(Session s, User u, String snapshot, long startedAt) {
    return new RunRecord(JdbcStore.newId(), s.id(), u.id(), s.language(), snapshot, "stdin text", startedAt, null,
        null, null, null, null, null, 0, false, 0);
  }

  @Test
  void runsStartAppendFinish() {
    User me = user("me");
    Session s = session(me, "Runs", "python");
    String snap = store.putBlob("{\"main.py\":\"abc\"}".getBytes(UTF_8));
    RunRecord r = newRun(s, me, snap, 1000);
    store.startRun(r);
    RunRecord got = store.run(r.id()).orElseThrow();
    assertEquals("running", got.status());
    assertEquals(snap, got.snapshot());
    assertEquals("stdin text", got.stdin());
    assertEquals(CAP, got.transcriptCap());
    assertNull(got.endedAt());
    assertNull(got.exitCode());
    assertEquals(StoreException.Code.CONFLICT, code(() -> store.startRun(r)));

    // 64 bytes kept: 30 + 20, then "é" (2 bytes) x 10 is cut on a character boundary; the rest is dropped
    store.appendChunks(r.id(), List.of(new Chunk(1, "stdout", "a".repeat(30)), new Chunk(2, "stderr", "b".repeat(20))));
    store.appendChunks(r.id(), List.of(new Chunk(3, "stdout", "\u00e9".repeat(10)), new Chunk(4, "stdout", "dropped"),
        new Chunk(3, "stdout", "duplicate seq")));
    store.appendChunks(r.id(), List.of(new Chunk(5, "stdin", "late")));
    List<Chunk> chunks = store.chunks(r.id());
    assertEquals(List.of(new Chunk(1, "stdout", "a".repeat(30)), new Chunk(2, "stderr", "b".repeat(20)),
        new Chunk(3, "stdout", "\u00e9".repeat(7))), chunks);
    RunRecord capped = store.run(r.id()).orElseThrow();
    assertTrue(capped.transcriptCapped());
    assertEquals(64, capped.transcriptBytes());

    store.finishRun(r.id(), new RunEnd("exited", 3, 120L, 80L, 2048L, 5000));
    store.finishRun(r.id(), new RunEnd("killed", 137, 1L, 1L, 1L, 9000));
    RunRecord done = store.run(r.id()).orElseThrow();
    assertEquals("exited", done.status());
    assertEquals(3, done.exitCode());
    assertEquals(120L, done.wallMs());
    assertEquals(80L, done.cpuMs());
    assertEquals(2048L, done.memoryKb());
    assertEquals(5000L, done.endedAt());
    assertEquals(1000, done.startedAt());

    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.finishRun("nosuchrun", new RunEnd("exited", 0, null, null, null, 1))));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.appendChunks("nosuchrun", List.of(new Chunk(1, "stdout", "x")))));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.startRun(newRun(s, me, "f".repeat(64), 1))));
    assertEquals(StoreException.Code.NOT_FOUND, code(() -> store.startRun(
        new RunRecord(JdbcStore.newId(), JdbcStore.newId(), me.id(), "python", null, null, 1, null, null, null, null, null, null, 0, false, 0))));
  }

  @Test
  void chunksKeepNulAndTheEndFieldsMayBeNull() {
    User me = user("me");
    Session s = session(me, "Odd", "c");
    RunRecord r = newRun(s, me, null, 1);
    store.startRun(r);
    store.appendChunks(r.id(), List.of(new Chunk(2, "stdout", "b\0"), new Chunk(1, "stdout", "a")));
    // a batch sent again (a retry) is not stored or counted twice
    store.appendChunks(r.id(), List.of(new Chunk(1, "stdout", "a"), new Chunk(2, "stdout", "b\0")));
    assertEquals(List.of(new Chunk(1, "stdout", "a"), new Chunk(2, "stdout", "b\0")), store.chunks(r.id()));
    assertFalse(store.run(r.id()).orElseThrow().transcriptCapped());
    assertEquals(3, store.run(r.id()).orElseThrow().transcriptBytes());
    store.appendChunks(r.id(), List.of());
    assertEquals(StoreException.Code.INVALID, code(() -> store.appendChunks(r.id(), List.of(new Chunk(9, "stdout", null)))));
    store.finishRun(r.id(), new RunEnd("timeout", null, null, null, null, 77));
    RunRecord done = store.run(r.id()).orElseThrow();
    assertEquals("timeout", done.status());
    assertNull(done.exitCode());
    assertNull(done.wallMs());
    assertEquals(77L, done.endedAt());
    assertNull(done.snapshot());
  }

  @Test
  void listRunsNewestFirstWithPaging() {
    User me = user("me");
    Session s = session(me, "History", "python"), other = session(me, "Other", "python");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      RunRecord r = newRun(s, me, null, 10_000 + i);
      store.startRun(r);
      expected.add(0, r.id());
    }
    store.startRun(newRun(other, me, null, 50_000));
    Page<RunRecord> all = store.listRuns(s.id(), 0, 100);
    assertEquals(expected, all.items().stream().map(RunRecord::id).toList());
    assertEquals(12, all.total());
    Page<RunRecord> p2 = store.listRuns(s.id(), 5, 5);
    assertEquals(expected.subList(5, 10), p2.items().stream().map(RunRecord::id).toList());
    assertEquals(12, p2.total());
    Page<RunRecord> p3 = store.listRuns(s.id(), 10, 5);
    assertEquals(expected.subList(10, 12), p3.items().stream().map(RunRecord::id).toList());
    assertEquals(12, p3.total());
    assertEquals(12, store.listRuns(s.id(), 20, 5).total());
    assertEquals(0, store.listRuns(JdbcStore.newId(), 0, 5).total());
    assertEquals(StoreException.Code.INVALID, code(() -> store.listRuns(s.id(), 0, -5)));
  }

  @Test
  void finishRunFirstEndWinsUnderConcurrency() throws Exception {
    User me = user("me");
    Session s = session(me, "Finish", "python");
    RunRecord r = newRun(s, me, null, 1);
    store.startRun(r);
    Store second = open(config());
    race(6, k -> {
      (k % 2 == 0 ? store : second).finishRun(r.id(), new RunEnd("end" + k, k, (long) k, (long) k, (long) k, 100 + k));
      return null;
    });
    RunRecord done = store.run(r.id()).orElseThrow();
    int k = Integer.parseInt(done.status().substring(3));
    assertEquals(k, done.exitCode());
    assertEquals(100L + k, done.endedAt());
    assertEquals((long) k, done.wallMs());
  }

  @Test
  void concurrentAppendsNeverExceedTheCap() throws Exception {
    User me = user("me");
    Session s = session(me, "Appends", "python");
    RunRecord r = newRun(s, me, null, 1);
    store.startRun(r);
    Store second = open(config());
    race(8, k -> {
      (k % 2 == 0 ? store : second).appendChunks(r.id(), List.of(new Chunk(k * 10L, "stdout", "0123456789"), new Chunk(k * 10L + 1, "stdout", "x")));
      return null;
    });
    RunRecord after = store.run(r.id()).orElseThrow();
    long kept = store.chunks(r.id()).stream().mapToLong(ch -> ch.data().getBytes(UTF_8).length).sum();
    assertEquals(after.transcriptBytes(), kept);
    assertEquals(CAP, kept);
    assertTrue(after.transcriptCapped());
  }

  // ---- failures ----

  @Test
  void sqlFailuresAreUnavailableWithoutSql() throws Exception {
    StoreConfig fresh = freshConfig();
    Store broken = open(fresh);
    User u = broken.createUser("u", null, true);
    try (Connection c = raw(fresh); Statement st = c.createStatement()) {
      st.execute("DROP TABLE run_chunks");
    }
    Session s = broken.createSession(u.id(), "still works", "python", List.of());
    RunRecord r = new RunRecord("r1", s.id(), u.id(), "python", null, null, 1, null, null, null, null, null, null, 0, false, 0);
    broken.startRun(r);
    StoreException e = assertThrows(StoreException.class, () -> broken.appendChunks("r1", List.of(new Chunk(1, "stdout", "x"))));
    assertEquals(StoreException.Code.UNAVAILABLE, e.code());
    assertEquals("database unavailable", e.getMessage());
    assertInstanceOf(SQLException.class, e.getCause());
    // the failed call took nothing with it, and the store goes on working
    assertEquals(0, broken.run("r1").orElseThrow().transcriptBytes());
    assertEquals("still works", broken.access(s.id(), u.id()).orElseThrow().session().name());
    broken.close();
    assertEquals(StoreException.Code.UNAVAILABLE, code(() -> broken.userById(u.id())));
  }

  @Test
  void openingAnUnreachableDatabaseIsUnavailable() {
    String url = expectedDialect().equals("sqlite") ? "jdbc:sqlite:/proc/no/such/dir/x.db" : "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1";
    StoreConfig bad = new StoreConfig(url, "nobody", null, null, 1, CAP);
    StoreException e = assertThrows(StoreException.class, () -> Store.open(bad));
    assertEquals(StoreException.Code.UNAVAILABLE, e.code());
    assertFalse(e.getMessage().toLowerCase().contains("select"));
  }

  // a q that names only the store's own tables must not turn into SQL
  @Test
  void searchTextIsNotSql() {
    User me = user("me");
    session(me, "Robert'); DROP TABLE sessions;--", "python");
    assertEquals(1, store.listSessions(me.id(), "'); drop table", null, 0, 10).total());
    assertEquals(1, store.listSessions(me.id(), null, null, 0, 10).total());
    assertEquals(Set.of("Robert'); DROP TABLE sessions;--"),
        store.listSessions(me.id(), null, null, 0, 10).items().stream().map(a -> a.session().name()).collect(Collectors.toSet()));
  }
}
