package dev.sandpit.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Connections and transactions for {@link JdbcStore}, one subclass per dialect.
 *
 * <ul>
 *   <li>PostgreSQL: a HikariCP pool. Writes are READ COMMITTED transactions whose conflicts are
 *       resolved by row locks ({@link #lockClause()}) and conditional updates; a transaction that
 *       fails with a serialization failure or a deadlock is run again (at most {@value #ATTEMPTS}
 *       times). Multi-statement reads run in a REPEATABLE READ READ ONLY transaction.
 *   <li>SQLite: WAL mode, {@code busy_timeout}, foreign keys on, {@code synchronous=FULL}. SQLite
 *       has one writer: every write of this process goes through the one writer connection under a
 *       fair lock, as a {@code BEGIN IMMEDIATE} transaction (which also waits, up to the busy
 *       timeout, for a writer in another process). Reads use a small HikariCP pool of query-only
 *       connections, which WAL lets run next to the writer.
 * </ul>
 */
abstract class Database implements AutoCloseable {
  static final int ATTEMPTS = 5;
  static final int BUSY_TIMEOUT_MS = 10_000;

  /** Work on a connection; may be run more than once (PostgreSQL retries), so no side effects outside it. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  abstract String dialect();

  /** Autocommit reads: for work that is one statement (or need not be consistent across statements). */
  abstract <T> T read(Work<T> work);

  /** Reads that see one consistent snapshot across all their statements. */
  abstract <T> T snapshot(Work<T> work);

  /** One transaction: committed if {@code work} returns, rolled back if it throws. */
  abstract <T> T write(Work<T> work);

  /** Appended to a {@code SELECT} inside {@link #write} to lock the rows it reads until the commit. */
  abstract String lockClause();

  /** Appended to a {@code SELECT} inside {@link #write} to keep the rows it reads from changing until the commit. */
  abstract String shareClause();

  /**
   * A condition that is true when {@code column} contains {@code folded}, its parameters appended to
   * {@code args}: the fastest plain substring test the dialect has for that needle. The scan of the
   * q search, and its check of session names.
   */
  abstract String contains(String column, String folded, List<Object> args);

  /**
   * The q search through the dialect's trigram index (migration V2): the session id of every text
   * file whose {@code text_lc} contains {@code folded} (q lowercased), one per matching file, read
   * in {@code c}'s transaction. Null when the index cannot answer cheaply and the caller must scan
   * instead: no index, {@code folded} too short for trigrams, more than {@code max} files match
   * (a common q, which the scan finds early in most sessions anyway), or the index took longer than
   * {@code budgetNanos} (Long.MAX_VALUE: no limit), where the dialect can stop it.
   */
  abstract List<String> indexHits(Connection c, String folded, int max, long budgetNanos) throws SQLException;

  /** Files the trigram index may report before {@link #indexHits} gives up: what that costs stays well under a scan of a heavy user's files. */
  abstract int maxIndexHits();

  /**
   * A condition true when every one of {@code bits} is set in the {@link SearchText} bitmap
   * {@code column} (a byte string; NULL passes), or null when the dialect cannot test bits (then
   * the text alone is matched).
   */
  abstract String hasBits(String column, int[] bits);

  /** A condition true when {@code column} is one of the ids of the one parameter bound to {@link #idsArg}. */
  abstract String inIds(String column);

  /** The parameter of {@link #inIds}. */
  abstract Object idsArg(Connection c, Collection<String> ids) throws SQLException;

  @Override
  public abstract void close();

  static Database open(StoreConfig config) {
    String url = config.jdbcUrl();
    if (url == null || url.isBlank()) throw new StoreException(StoreException.Code.INVALID, "no database URL");
    if (url.startsWith("jdbc:sqlite:")) return new Sqlite(config);
    if (url.startsWith("jdbc:postgresql:")) return new Postgres(config);
    throw new StoreException(StoreException.Code.INVALID, "unsupported database URL (jdbc:sqlite: or jdbc:postgresql: expected)");
  }

  /**
   * Flyway over {@code classpath:db/migration/common} (both databases) and
   * {@code classpath:db/migration/<dialect>} (what only one of them has: the search index);
   * version numbers are unique across both, and the Java migrations of this package (filling
   * derived columns the way the store writes them). {@code bytes} is the byte-string type.
   */
  void migrate(DataSource ds, String bytesType) {
    try {
      Flyway.configure(Database.class.getClassLoader())
          .dataSource(ds)
          .locations("classpath:db/migration/common", "classpath:db/migration/" + dialect())
          .placeholders(Map.of("bytes", bytesType))
          .javaMigrations(new V6__search_text_fill())
          // a DATABASE_URL whose schema already holds other tables (but not ours): start from version 0
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .cleanDisabled(true)
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new StoreException(StoreException.Code.UNAVAILABLE, "database migration failed", e);
    }
  }

  // ---- errors ----

  /** A SQL failure as a coded error whose message names no SQL (the cause keeps the details). */
  static StoreException translate(SQLException e) {
    StoreException.Code code = classify(e);
    String message = switch (code) {
      case CONFLICT -> "conflicting change";
      case NOT_FOUND -> "a referenced record does not exist";
      case INVALID -> "value not accepted by the database";
      case TOO_LARGE -> "value too large for the database";
      default -> "database unavailable";
    };
    return new StoreException(code, message, e);
  }

  static StoreException.Code classify(SQLException e) {
    if (e instanceof SQLiteException se) {
      SQLiteErrorCode rc = se.getResultCode();
      if (rc == null) return StoreException.Code.UNAVAILABLE;
      return switch (rc) {
        case SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE -> StoreException.Code.CONFLICT;
        case SQLITE_CONSTRAINT_FOREIGNKEY -> StoreException.Code.NOT_FOUND;
        case SQLITE_CONSTRAINT_NOTNULL, SQLITE_CONSTRAINT_CHECK, SQLITE_MISMATCH -> StoreException.Code.INVALID;
        case SQLITE_TOOBIG -> StoreException.Code.TOO_LARGE;
        default -> StoreException.Code.UNAVAILABLE;
      };
    }
    String state = e.getSQLState();
    if (state == null) return StoreException.Code.UNAVAILABLE;
    return switch (state) {
      case "23505" -> StoreException.Code.CONFLICT; // unique_violation
      case "23503" -> StoreException.Code.NOT_FOUND; // foreign_key_violation
      case "23502", "23514", "22021", "22P02", "22003" -> StoreException.Code.INVALID;
      case "54000" -> StoreException.Code.TOO_LARGE; // program_limit_exceeded (e.g. > 1 GB field)
      default -> StoreException.Code.UNAVAILABLE;
    };
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The first column of every row, as strings. */
  static List<String> strings(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      JdbcStore.bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<String> out = new ArrayList<>();
        while (rs.next()) out.add(rs.getString(1));
        return out;
      }
    }
  }

  /** {@code column LIKE '%folded%'} with the wildcards in {@code folded} escaped, its parameter appended to {@code args}. */
  static String likeContains(String column, String folded, List<Object> args) {
    args.add("%" + likeEscaped(folded) + "%");
    return column + " LIKE ? ESCAPE '!'";
  }

  /** {@code s} with LIKE's wildcards and the escape character {@code !} escaped (both dialects: {@code LIKE ? ESCAPE '!'}). */
  static String likeEscaped(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '%' || ch == '_' || ch == '!') b.append('!');
      b.append(ch);
    }
    return b.toString();
  }

  /** Characters as SQL counts them (code points). */
  static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  // ---- PostgreSQL ----

  static final class Postgres extends Database {
    /** The GIN index of migration V2 (absent when pg_trgm could not be had). */
    static final String TRIGRAM_INDEX = "files_text_trgm";
    /**
     * Each hit is a heap row fetched and rechecked against LIKE (several µs, more when the row is
     * compressed), and a q whose anchor has more costs the reading of this many before the scan
     * starts: 500 keep that to a few ms.
     */
    static final int MAX_INDEX_HITS = 500;
    /** The question to the index: files with the anchor (q's longest word), and whether each holds the whole q. */
    static final String HITS_SQL = "SELECT f.session_id, strpos(f.text_lc, ?) > 0 FROM files f WHERE f.text_lc LIKE ? LIMIT ?";

    private final HikariDataSource pool;
    private final boolean trigramIndex;

    Postgres(StoreConfig config) {
      HikariConfig hc = new HikariConfig();
      hc.setPoolName("sandpit-store");
      hc.setJdbcUrl(config.jdbcUrl());
      if (config.user() != null) hc.setUsername(config.user());
      if (config.password() != null) hc.setPassword(config.password());
      hc.setMaximumPoolSize(Math.max(1, config.poolSize()));
      hc.setMinimumIdle(Math.min(2, Math.max(1, config.poolSize())));
      hc.setConnectionTimeout(10_000);
      hc.setInitializationFailTimeout(10_000);
      hc.setAutoCommit(true);
      hc.addDataSourceProperty("ApplicationName", "sandpit-gateway");
      hc.addDataSourceProperty("reWriteBatchedInserts", "true");
      hc.addDataSourceProperty("tcpKeepAlive", "true");
      try {
        pool = new HikariDataSource(hc);
      } catch (RuntimeException e) {
        throw new StoreException(StoreException.Code.UNAVAILABLE, "cannot connect to the database", e);
      }
      try {
        migrate(pool, "BYTEA");
        trigramIndex = read(c -> !strings(c, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?",
            TRIGRAM_INDEX).isEmpty());
      } catch (RuntimeException e) {
        pool.close();
        throw e;
      }
    }

    @Override
    String dialect() {
      return "postgresql";
    }

    @Override
    String lockClause() {
      return " FOR NO KEY UPDATE";
    }

    @Override
    String shareClause() {
      return " FOR SHARE";
    }

    /**
     * Which matcher reads the texts for a needle, by what it costs over the benchmark's heavy user's
     * {@code search_text} (2,000 sessions, 6.3 MB, PostgreSQL 15, medians of 11 in psql). LIKE
     * steps through every byte and compares from each occurrence of the needle's first character;
     * strpos (Boyer-Moore-Horspool) skips more the longer the needle. 2 bytes: LIKE "zq" 10.0 ms,
     * "xq" 11.4, strpos 14.3, 15.7. From 3 bytes strpos is as fast or faster whatever the first
     * character: "qzz" 10.5 / LIKE 10.0, "zzz" 10.6 / 15.0, "k que" 10.1 / 15.2, "esz" 11.7 / 26.2,
     * "jsonx" 7.3 / 16.2, "sort merge" 7.1 / 19.4. (Over files.text_lc, one call per file, a first
     * version also took LIKE for short needles starting with a rare character; with one text per
     * session that no longer paid.)
     */
    @Override
    String contains(String column, String folded, List<Object> args) {
      if (folded.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 2) return likeContains(column, folded, args);
      args.add(folded);
      return "strpos(" + column + ", ?) > 0";
    }

    /** get_bit on the bytea: ~0.1 µs a row, against ~5 µs to read a 3 kB text for a q of 2 bytes. */
    @Override
    String hasBits(String column, int[] bits) {
      if (bits.length == 0) return null;
      StringBuilder b = new StringBuilder("(").append(column).append(" IS NULL OR (");
      for (int i = 0; i < bits.length; i++) {
        if (i > 0) b.append(" AND ");
        b.append("get_bit(").append(column).append(", ").append(bits[i]).append(") = 1");
      }
      return b.append("))").toString();
    }

    /**
     * pg_trgm makes trigrams of words (runs of letters and digits) only, so a q with spaces or
     * punctuation ("return value", "a_b") gets candidates that hold each word somewhere, which can
     * be most files, each rechecked. The index is therefore asked for q's longest word (the anchor:
     * plain letters and digits, nothing to escape for LIKE) and a row is a hit when its text also
     * contains the whole q; at most {@code max} anchor matches are read, and none when the planner's
     * statistics already say the anchor is in more files than that. The scan is kept out of the plan
     * for this one query: with LIMIT, an anchor the planner thinks common would otherwise be a
     * sequential scan that reads every file when it is not. No time budget is needed: the planner's
     * statistics say before the question whether the index would read much.
     */
    @Override
    List<String> indexHits(Connection c, String folded, int max, long budgetNanos) throws SQLException {
      if (!trigramIndex) return null;
      String anchor = anchor(folded);
      if (anchor == null) return null;
      String like = "%" + anchor + "%";
      // a common anchor: building its bitmap alone (~15 ms for 27,000 of 30,000 files) costs more than the scan saves
      if (estimatedRows(c, like) > max) return null;
      exec(c, "SET LOCAL enable_seqscan = off"); // for this query of this read-only transaction only
      List<String> hits = new ArrayList<>();
      int anchored = 0;
      try (PreparedStatement ps = c.prepareStatement(HITS_SQL)) {
        JdbcStore.bind(ps, folded, like, max + 1);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next() && hits != null) {
            if (++anchored > max) hits = null;
            else if (rs.getBoolean(2)) hits.add(rs.getString(1));
          }
        }
      }
      exec(c, "SET LOCAL enable_seqscan TO DEFAULT");
      return hits;
    }

    /** How many files the planner expects to hold {@code like} (from the column's statistics: a sample of texts). */
    private static double estimatedRows(Connection c, String like) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) SELECT 1 FROM files f WHERE f.text_lc LIKE ?")) {
        JdbcStore.bind(ps, like);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new io.vertx.core.json.JsonArray(rs.getString(1)).getJsonObject(0).getJsonObject("Plan").getDouble("Plan Rows");
        }
      }
    }

    /** The longest run of letters and digits in {@code s} if it has at least 3 (a trigram), else null. */
    static String anchor(String s) {
      String best = null;
      int start = -1;
      for (int i = 0; i <= s.length(); ) {
        int cp = i < s.length() ? s.codePointAt(i) : -1;
        boolean word = cp >= 0 && Character.isLetterOrDigit(cp);
        if (word && start < 0) start = i;
        if (!word && start >= 0) {
          String run = s.substring(start, i);
          if (codePoints(run) >= 3 && (best == null || codePoints(run) > codePoints(best))) best = run;
          start = -1;
        }
        i += cp >= 0 ? Character.charCount(cp) : 1;
      }
      return best;
    }

    @Override
    int maxIndexHits() {
      return MAX_INDEX_HITS;
    }

    /** {@code IN (SELECT unnest(?))}, not {@code = ANY(?)}: hashed once, also in a generic plan. */
    @Override
    String inIds(String column) {
      return column + " IN (SELECT unnest(?::text[]))";
    }

    @Override
    Object idsArg(Connection c, Collection<String> ids) throws SQLException {
      return c.createArrayOf("text", ids.toArray());
    }

    @Override
    <T> T read(Work<T> work) {
      try (Connection c = pool.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        throw translate(e);
      }
    }

    @Override
    <T> T snapshot(Work<T> work) {
      return transaction(work, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    }

    @Override
    <T> T write(Work<T> work) {
      return transaction(work, null);
    }

    private <T> T transaction(Work<T> work, String first) {
      for (int attempt = 1; ; attempt++) {
        try (Connection c = pool.getConnection()) {
          c.setAutoCommit(false);
          try {
            if (first != null) exec(c, first);
            T result = work.run(c);
            c.commit();
            return result;
          } catch (Throwable t) {
            try {
              c.rollback();
            } catch (SQLException ignored) {
              // the connection is broken; the pool will find out and replace it
            }
            throw t;
          } finally {
            try {
              c.setAutoCommit(true);
            } catch (SQLException ignored) {
              // likewise
            }
          }
        } catch (SQLException e) {
          if (retryable(e) && attempt < ATTEMPTS) continue;
          throw translate(e);
        }
      }
    }

    /** serialization_failure, deadlock_detected: the transaction did nothing and may simply run again. */
    private static boolean retryable(SQLException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SQLException s && ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()))) return true;
      }
      return false;
    }

    @Override
    public void close() {
      pool.close();
    }
  }

  // ---- SQLite ----

  static final class Sqlite extends Database {
    /**
     * Each hit is a doclist entry and a row of search_docs (~1 µs with what follows), and a common q
     * costs the reading of this many before the scan starts: 3,000 keep that to ~2 ms.
     */
    static final int MAX_INDEX_HITS = 3_000;
    /** SQLite VM steps between two looks at the clock while the index answers (each look is a call up from C: ~µs). */
    static final int PROGRESS_STEPS = 100;
    /** How many times the index was stopped by its budget (tests). */
    final java.util.concurrent.atomic.AtomicLong indexGaveUp = new java.util.concurrent.atomic.AtomicLong();

    private final String url;
    private final boolean memory;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final HikariDataSource readers; // null in memory mode: everything goes through the writer
    private Connection writer; // guarded by writeLock
    private volatile boolean closed;

    Sqlite(StoreConfig config) {
      this.url = config.jdbcUrl();
      String rest = url.substring("jdbc:sqlite:".length());
      this.memory = rest.isEmpty() || rest.startsWith(":memory:") || rest.contains("mode=memory");
      if (!memory) createParent(rest);
      try {
        writer = openWriter();
      } catch (SQLException e) {
        throw new StoreException(StoreException.Code.UNAVAILABLE, "cannot open the database file", e);
      }
      try {
        readers = memory ? migrateInMemory() : migrateAndOpenReaders(config);
      } catch (RuntimeException e) {
        closeWriter();
        throw e;
      }
    }

    private HikariDataSource migrateInMemory() {
      migrate(new SingleConnection(writer), "BLOB");
      return null;
    }

    private HikariDataSource migrateAndOpenReaders(StoreConfig config) {
      migrate(dataSource(config(false)), "BLOB");
      try {
        exec(writer, "PRAGMA optimize=0x10002"); // what SQLite advises on opening a long-lived connection: planner statistics
        forgetSearchIndexStatistics(writer);
      } catch (SQLException e) {
        // only statistics
      }
      HikariConfig hc = new HikariConfig();
      hc.setPoolName("sandpit-store-read");
      hc.setDataSource(dataSource(config(false)));
      hc.setMaximumPoolSize(Math.max(1, Math.min(config.poolSize(), 8)));
      hc.setMinimumIdle(1);
      hc.setConnectionTimeout(10_000);
      hc.setAutoCommit(true);
      hc.setConnectionInitSql("PRAGMA query_only = 1");
      try {
        return new HikariDataSource(hc);
      } catch (RuntimeException e) {
        throw new StoreException(StoreException.Code.UNAVAILABLE, "cannot open the database file", e);
      }
    }

    /**
     * Drops what ANALYZE (run by PRAGMA optimize) learnt about the FTS5 index's own tables. Measured
     * on loading 30,000 files: statistics taken while search_text_data held two rows make FTS5's
     * internal statements plan scans of it, and every insert gets slower as the index grows (the
     * benchmark's load took 12 minutes instead of 25 s). Without statistics the planner assumes a large table and seeks, which
     * is right at every size. Connections opened later read the file without them; this one
     * reloads. Runs before anything uses the index on this connection (FTS5 keeps its statements).
     */
    private static void forgetSearchIndexStatistics(Connection c) throws SQLException {
      if (strings(c, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'").isEmpty()) return;
      exec(c, "DELETE FROM sqlite_stat1 WHERE tbl LIKE 'search\\_text\\_%' ESCAPE '\\'");
      if (!strings(c, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat4'").isEmpty()) {
        exec(c, "DELETE FROM sqlite_stat4 WHERE tbl LIKE 'search\\_text\\_%' ESCAPE '\\'");
      }
      exec(c, "ANALYZE sqlite_schema"); // reload what is left
    }

    private static void createParent(String rest) {
      String file = rest.startsWith("file:") ? rest.substring(5) : rest;
      int q = file.indexOf('?');
      if (q >= 0) file = file.substring(0, q);
      Path parent = Path.of(file).toAbsolutePath().getParent();
      if (parent == null) return;
      try {
        Files.createDirectories(parent);
      } catch (IOException e) {
        throw new StoreException(StoreException.Code.UNAVAILABLE, "cannot create the data directory", e);
      }
    }

    private SQLiteConfig config(boolean forWriter) {
      SQLiteConfig c = new SQLiteConfig();
      c.setJournalMode(SQLiteConfig.JournalMode.WAL);
      c.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      c.setBusyTimeout(BUSY_TIMEOUT_MS);
      c.enforceForeignKeys(true);
      c.setTempStore(SQLiteConfig.TempStore.MEMORY);
      c.setCacheSize(-16_000); // KiB
      if (forWriter) c.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      return c;
    }

    private SQLiteDataSource dataSource(SQLiteConfig c) {
      SQLiteDataSource ds = new SQLiteDataSource(c);
      ds.setUrl(url);
      return ds;
    }

    private Connection openWriter() throws SQLException {
      return dataSource(config(true)).getConnection();
    }

    @Override
    String dialect() {
      return "sqlite";
    }

    @Override
    String lockClause() {
      return ""; // the write lock serialises all writers already
    }

    @Override
    String shareClause() {
      return "";
    }

    /** SQLite has no bit test on a blob (a user function costs a JNI call a row); its scan reads the texts. */
    @Override
    String hasBits(String column, int[] bits) {
      return null;
    }

    /**
     * LIKE: for a pattern {@code %x…%} SQLite looks for the next {@code x} with strchr before it
     * compares, several times faster than instr's compare at every byte when {@code x} is rare
     * (the heavy user's {@code search_text}, 6.3 MB, medians of 15 in 3 interleaved rounds: "zq"
     * 1.3–2.7 ms against 6.4–9.1, "k que" 2.6–3.9 / 6.0–8.7, "quick" 1.1–1.4 / 1.6–2.6, "sort merge"
     * 8.2–9.9 / 9.1–11.9). Its ASCII case folding changes nothing: texts and q are folded already.
     * instr for a needle longer than SQLite lets a LIKE pattern be (50,000 bytes by default; q
     * reaching the store from HTTP is at most 200 characters).
     */
    @Override
    String contains(String column, String folded, List<Object> args) {
      if (folded.length() <= MAX_LIKE_CHARS) return likeContains(column, folded, args);
      args.add(folded);
      return "instr(" + column + ", ?) > 0";
    }

    /** Needles up to this many chars are matched with LIKE (escaped, at most 4 UTF-8 bytes a char and twice as many chars). */
    static final int MAX_LIKE_CHARS = 5_000;

    /**
     * FTS5's trigram tokenizer makes a token of every 3 characters, whatever they are, so a quoted
     * phrase of 3 or more characters matches exactly the texts that contain it (shorter ones match
     * nothing: scan). Inside the quotes everything is literal but the quote itself, which is doubled.
     *
     * <p>The index holds every user's texts, and a phrase whose trigrams are all common costs the
     * reading of their doclists however rare the phrase is and however few texts the caller has
     * ("sort merge": 13 ms over the benchmark's 30,000 texts, more as the database grows), while
     * the scan costs only the caller's texts. So the question gets {@code budgetNanos}: a progress
     * handler interrupts it past that (a read: nothing to roll back) and the caller scans. A rare
     * q takes 0.1–0.5 ms here. Measured on the heavy user (p50 / p99 ms): "sort merge" 18.0 / 26.6
     * → 12.0 / 16.8 with 1 ms, "k que" 15.0 / 16.1 → 8.0 / 10.3, rare ones unchanged.
     */
    @Override
    List<String> indexHits(Connection c, String folded, int max, long budgetNanos) throws SQLException {
      if (codePoints(folded) < 3) return null;
      // FTS5's tokenizer reads U+FFFD, U+FFFE and U+FFFF as one character; the scan does not
      if (folded.chars().anyMatch(ch -> ch >= 0xFFFD && ch <= 0xFFFF)) return null;
      String phrase = '"' + folded.replace("\"", "\"\"") + '"';
      SQLiteConnection budgeted = budgetNanos == Long.MAX_VALUE ? null : c.unwrap(SQLiteConnection.class);
      if (budgeted != null) {
        long deadline = System.nanoTime() + budgetNanos;
        ProgressHandler.setHandler(budgeted, PROGRESS_STEPS, new ProgressHandler() {
          @Override
          protected int progress() {
            return System.nanoTime() - deadline > 0 ? 1 : 0;
          }
        });
      }
      try {
        List<String> hits = strings(c, "SELECT d.session_id FROM search_text JOIN search_docs d ON d.id = search_text.rowid "
            + "WHERE search_text MATCH ? LIMIT ?", phrase, max + 1);
        return hits.size() > max ? null : hits;
      } catch (SQLiteException e) {
        if (e.getResultCode() != SQLiteErrorCode.SQLITE_INTERRUPT) throw e;
        indexGaveUp.incrementAndGet();
        return null;
      } finally {
        if (budgeted != null) ProgressHandler.clearHandler(budgeted);
      }
    }

    @Override
    int maxIndexHits() {
      return MAX_INDEX_HITS;
    }

    @Override
    String inIds(String column) {
      return column + " IN (SELECT value FROM json_each(?))";
    }

    @Override
    Object idsArg(Connection c, Collection<String> ids) {
      return new io.vertx.core.json.JsonArray(new ArrayList<>(ids)).encode();
    }

    @Override
    <T> T read(Work<T> work) {
      if (memory) return underLock(work, false);
      checkOpen();
      try (Connection c = readers.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        throw translate(e);
      }
    }

    @Override
    <T> T snapshot(Work<T> work) {
      if (memory) return underLock(work, false);
      checkOpen();
      try (Connection c = readers.getConnection()) {
        exec(c, "BEGIN");
        try {
          return work.run(c);
        } finally {
          exec(c, "COMMIT"); // read-only: commit and rollback are the same
        }
      } catch (SQLException e) {
        throw translate(e);
      }
    }

    @Override
    <T> T write(Work<T> work) {
      return underLock(work, true);
    }

    private <T> T underLock(Work<T> work, boolean transaction) {
      checkOpen();
      try {
        if (!writeLock.tryLock(BUSY_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
          throw new StoreException(StoreException.Code.UNAVAILABLE, "database busy");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException(StoreException.Code.UNAVAILABLE, "interrupted");
      }
      try {
        checkOpen();
        if (writer == null) writer = openWriter();
        Connection c = writer;
        if (!transaction) return work.run(c);
        exec(c, "BEGIN IMMEDIATE");
        boolean done = false;
        try {
          T result = work.run(c);
          exec(c, "COMMIT");
          done = true;
          return result;
        } finally {
          if (!done) rollback(c);
        }
      } catch (SQLException e) {
        throw translate(e);
      } finally {
        writeLock.unlock();
      }
    }

    /** Roll back; if even that fails, drop the connection so that the next write starts clean. */
    private void rollback(Connection c) {
      try {
        exec(c, "ROLLBACK");
      } catch (SQLException e) {
        // SQLite may already have rolled back (e.g. after SQLITE_FULL): that is fine
        if (!(e instanceof SQLiteException se && se.getMessage() != null && se.getMessage().contains("no transaction is active"))) {
          closeWriter();
        }
      }
    }

    private void closeWriter() {
      try {
        if (writer != null) writer.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
      writer = null;
    }

    private void checkOpen() {
      if (closed) throw new StoreException(StoreException.Code.UNAVAILABLE, "store closed");
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      if (readers != null) readers.close();
      writeLock.lock();
      try {
        if (writer != null) {
          try {
            exec(writer, "PRAGMA optimize");
            forgetSearchIndexStatistics(writer);
          } catch (SQLException ignored) {
            // best effort
          }
        }
        closeWriter();
      } finally {
        writeLock.unlock();
      }
    }
  }

  /** The one connection of an in-memory SQLite database, for Flyway (which closes what it gets). */
  private static final class SingleConnection implements DataSource {
    private final Connection c;

    SingleConnection(Connection c) {
      this.c = c;
    }

    @Override
    public Connection getConnection() {
      return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
          (proxy, m, args) -> {
            if (m.getName().equals("close")) return null;
            if (m.getName().equals("isClosed")) return false;
            try {
              return m.invoke(c, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    @Override
    public Connection getConnection(String user, String password) {
      return getConnection();
    }

    @Override
    public java.io.PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public java.util.logging.Logger getParentLogger() {
      return java.util.logging.Logger.getLogger("sandpit.store");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
