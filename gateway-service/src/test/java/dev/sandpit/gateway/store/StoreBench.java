package dev.sandpit.gateway.store;

import java.sql.*;
import java.util.*;
import java.util.function.Supplier;

/**
 * Benchmark (not a test), run by {@code ./sandpit bench}: read latency of the session list and run
 * history at 10,000 sessions (one user owning 2,000) and 100,000 runs (20,000 in one session),
 * on SQLite and PostgreSQL, through the Store API after warm-up.
 */
public class StoreBench {
  /**
   * No arguments: a temporary SQLite file (deleted after), then a fresh schema on the test
   * PostgreSQL; {@code -Ddb=sqlite} or {@code -Ddb=postgresql} runs one of them; an argument is a
   * JDBC URL (and user) to run on instead.
   */
  public static void main(String[] a) throws Exception {
    if (a.length > 0) {
      run(a[0], a.length > 1 ? a[1] : null);
      return;
    }
    String only = System.getProperty("db", "");
    if (!only.equals("postgresql")) {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sandpit-storebench-");
      System.out.println("== SQLite");
      try {
        run("jdbc:sqlite:" + dir.resolve("bench.db"), null);
      } finally {
        try (var files = java.nio.file.Files.list(dir)) {
          for (java.nio.file.Path f : files.toList()) java.nio.file.Files.delete(f);
        }
        java.nio.file.Files.delete(dir);
      }
    }
    if (!only.equals("sqlite")) {
      System.out.println("== PostgreSQL");
      PostgresForTests.Database db = PostgresForTests.create();
      try {
        run(db.url(), null);
      } finally {
        PostgresForTests.drop(db);
      }
    }
  }

  static final String[] WORDS = ("def return import class while for print input value result numbers list index count total "
      + "main void int char struct static const string buffer array vector queue stack node tree graph edge weight path sort merge "
      + "quick heap binary search insert delete update select fetch async await promise callback handler server client socket "
      + "request response header body json parse format error panic unwrap match enum trait impl fn let mut pub crate module").split(" ");
  static final String[] LANGS = {"python", "c", "cpp", "javascript", "go", "rust", "java", "bash"};

  static void run(String url, String user) throws Exception {
    StoreConfig cfg = new StoreConfig(url, user, null, null, 8, 1 << 20);
    Random rnd = new Random(42);
    Store store = JdbcStore.open(cfg);
    boolean pg = store.dialect().equals("postgresql");
    int nUsers = 200, nSessions = 10_000, nRuns = 100_000, heavySessions = 2_000, hotRuns = 20_000;
    List<String> users = new ArrayList<>();
    List<String> sessions = new ArrayList<>();
    Map<String, String> ownerOf = new HashMap<>();
    long t0 = System.nanoTime();
    try (Connection c = pg ? DriverManager.getConnection(url, user, null) : DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, username, password_hash, guest, created_at, bytes) VALUES (?,?,?,?,?,0)")) {
        for (int i = 0; i < nUsers; i++) {
          String id = JdbcStore.newId(); users.add(id);
          ps.setString(1, id); ps.setString(2, "user" + i); ps.setString(3, "h"); ps.setBoolean(4, false); ps.setLong(5, 1); ps.addBatch();
        }
        ps.executeBatch();
      }
      long now = 1_700_000_000_000L;
      try (PreparedStatement ss = c.prepareStatement("INSERT INTO sessions (id, owner_id, name, language, created_at, updated_at, version, bytes, name_lc, search_text, search_grams, search_version) VALUES (?,?,?,?,?,?,1,?,?,?,?,1)");
           PreparedStatement fs = c.prepareStatement("INSERT INTO files (session_id, path, text, data, is_binary, size, version, updated_at, text_lc) VALUES (?,?,?,NULL,?,?,1,?,?)")) {
        for (int i = 0; i < nSessions; i++) {
          String owner = i < heavySessions ? users.get(0) : users.get(1 + rnd.nextInt(nUsers - 1));
          String id = JdbcStore.newId(); sessions.add(id); ownerOf.put(id, owner);
          long upd = now + rnd.nextInt(100_000_000);
          long bytes = 0;
          List<String> folded = new ArrayList<>();
          for (int f = 0; f < 3; f++) {
            StringBuilder sb = new StringBuilder();
            int len = 600 + rnd.nextInt(900);
            while (sb.length() < len) sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(rnd.nextInt(10) == 0 ? "\n" : " ");
            String text = sb.toString();
            fs.setString(1, id); fs.setString(2, "src/file" + f + ".txt"); fs.setString(3, text); fs.setBoolean(4, false);
            fs.setLong(5, text.length()); fs.setLong(6, upd); fs.setString(7, text.toLowerCase()); fs.addBatch();
            bytes += text.length();
            folded.add(text.toLowerCase());
          }
          // what the store keeps of every small session for the search (SearchText)
          ss.setString(9, bytes <= SearchText.MAX_BYTES ? SearchText.text(folded) : null);
          ss.setBytes(10, bytes <= SearchText.MAX_BYTES ? SearchText.grams(folded) : null);
          String nm = "Project " + WORDS[rnd.nextInt(WORDS.length)] + " " + i; ss.setString(1, id); ss.setString(2, owner); ss.setString(3, nm);
          ss.setString(4, LANGS[rnd.nextInt(LANGS.length)]); ss.setLong(5, upd); ss.setLong(6, upd); ss.setLong(7, bytes); ss.setString(8, nm.toLowerCase()); ss.addBatch();
          if (i % 500 == 499) { ss.executeBatch(); fs.executeBatch(); }
        }
        ss.executeBatch(); fs.executeBatch();
      }
      // memberships: every user joins 10 sessions of others
      try (PreparedStatement ms = c.prepareStatement("INSERT INTO members (session_id, user_id, via_token, role, joined_at) VALUES (?,?,'',?,1) ON CONFLICT DO NOTHING")) {
        for (String u : users) for (int k = 0; k < 10; k++) {
          String s = sessions.get(rnd.nextInt(nSessions));
          if (ownerOf.get(s).equals(u)) continue;
          ms.setString(1, s); ms.setString(2, u); ms.setString(3, "viewer"); ms.addBatch();
        }
        ms.executeBatch();
      }
      String hot = sessions.get(heavySessions + 1);
      try (PreparedStatement rs = c.prepareStatement("INSERT INTO runs (id, session_id, user_id, language, snapshot, stdin, started_at, status, exit_code, wall_ms, cpu_ms, memory_kb, ended_at, transcript_bytes, transcript_capped, transcript_cap) VALUES (?,?,?,?,NULL,NULL,?,?,0,10,10,1000,?,0,?,1048576)")) {
        for (int i = 0; i < nRuns; i++) {
          String s = i < hotRuns ? hot : sessions.get(rnd.nextInt(nSessions));
          long st = now + rnd.nextInt(100_000_000);
          rs.setString(1, JdbcStore.newId()); rs.setString(2, s); rs.setString(3, ownerOf.get(s)); rs.setString(4, "python");
          rs.setLong(5, st); rs.setString(6, "exited"); rs.setLong(7, st + 10); rs.setBoolean(8, false); rs.addBatch();
          if (i % 1000 == 999) rs.executeBatch();
        }
        rs.executeBatch();
      }
      // what the store keeps for every write: a user's bytes are the sum of their sessions' (quota, and the search's choice)
      try (Statement st = c.createStatement()) {
        st.execute("UPDATE users SET bytes = (SELECT COALESCE(SUM(s.bytes), 0) FROM sessions s WHERE s.owner_id = users.id)");
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) { st.execute(pg ? "ANALYZE" : "ANALYZE"); if (pg) st.execute("VACUUM"); }
    }
    System.out.printf("loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    String heavy = users.get(0), typical = users.get(7);
    String hotSession = sessions.get(heavySessions + 1);
    String typicalSession = sessions.get(5000);
    long typicalCount = store.listSessions(typical, null, null, 0, 1).total();
    System.out.println("typical user sees " + typicalCount + " sessions; heavy user " + store.listSessions(heavy, null, null, 0, 1).total()
        + "; typical session runs " + store.listRuns(typicalSession, 0, 1).total() + "; hot session runs " + store.listRuns(hotSession, 0, 1).total());
    System.out.println("q 'quick' typical: " + store.listSessions(typical, "quick", null, 0, 20).total()
        + "; q 'zzz' typical: " + store.listSessions(typical, "zzz", null, 0, 20).total());
    int n = Integer.parseInt(System.getProperty("n", "500"));
    measure("listSessions typical, page 1 (20)", n, () -> store.listSessions(typical, null, null, 0, 20));
    measure("listSessions typical, language", n, () -> store.listSessions(typical, null, "python", 0, 20));
    measure("listSessions typical, q hit ('Quick')", n, () -> store.listSessions(typical, "Quick", null, 0, 20));
    measure("listSessions typical, q miss ('zzz')", n, () -> store.listSessions(typical, "zzz", null, 0, 20));
    measure("listSessions typical, q non-ASCII ('ünï')", n, () -> store.listSessions(typical, "ünï", null, 0, 20));
    measure("listSessions heavy(2000), page 1 (20)", n, () -> store.listSessions(heavy, null, null, 0, 20));
    measure("listSessions heavy(2000), page 1 (100)", n, () -> store.listSessions(heavy, null, null, 0, 100));
    measure("listSessions heavy(2000), offset 1500", n, () -> store.listSessions(heavy, null, null, 1500, 20));
    measure("listSessions heavy(2000), language", n, () -> store.listSessions(heavy, null, "rust", 0, 20));
    measure("listSessions heavy(2000), q name ('project 1999')", Math.min(n, 200), () -> store.listSessions(heavy, "project binary 1999", null, 0, 20));
    measure("listSessions heavy(2000), q miss ('zzz')", Math.min(n, 200), () -> store.listSessions(heavy, "zzz", null, 0, 20));
    measure("listSessions heavy(2000), q non-ASCII", Math.min(n, 200), () -> store.listSessions(heavy, "ünï", null, 0, 20));
    // in ~90% of all files / in ~3% ('sort merge', two words) / in ~8% ('k que', across a space)
    measure("listSessions heavy(2000), q common ('quick')", Math.min(n, 200), () -> store.listSessions(heavy, "quick", null, 0, 20));
    measure("listSessions heavy(2000), q two words ('sort merge')", Math.min(n, 200), () -> store.listSessions(heavy, "sort merge", null, 0, 20));
    measure("listSessions heavy(2000), q 8% of files ('k que')", Math.min(n, 200), () -> store.listSessions(heavy, "k que", null, 0, 20));
    // 1-2 characters: no trigram, always the scan
    measure("listSessions heavy(2000), q 1 char ('e')", Math.min(n, 200), () -> store.listSessions(heavy, "e", null, 0, 20));
    measure("listSessions heavy(2000), q 2 chars hit ('qu')", Math.min(n, 200), () -> store.listSessions(heavy, "qu", null, 0, 20));
    measure("listSessions heavy(2000), q 2 chars miss ('zq')", Math.min(n, 200), () -> store.listSessions(heavy, "zq", null, 0, 20));
    measure("listSessions typical, q 2 chars miss ('zq')", n, () -> store.listSessions(typical, "zq", null, 0, 20));
    measure("listRuns typical session, page 1 (20)", n, () -> store.listRuns(typicalSession, 0, 20));
    measure("listRuns hot(20k), page 1 (20)", n, () -> store.listRuns(hotSession, 0, 20));
    measure("listRuns hot(20k), page 1 (100)", n, () -> store.listRuns(hotSession, 0, 100));
    measure("listRuns hot(20k), offset 10000", n, () -> store.listRuns(hotSession, 10_000, 20));
    store.close();
  }

  static void measure(String what, int n, Supplier<?> op) {
    for (int i = 0; i < Math.min(50, n); i++) op.get();
    long[] t = new long[n];
    for (int i = 0; i < n; i++) { long s = System.nanoTime(); op.get(); t[i] = System.nanoTime() - s; }
    Arrays.sort(t);
    System.out.printf("%-48s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", what, t[n / 2] / 1e6, t[(int) (n * 0.99)] / 1e6, t[n - 1] / 1e6);
  }
}
