package dev.sandpit.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** {@link Database} over SQLite (the embedded default). */
final class SqliteDatabase extends Database {
  /**
   * Each hit is a doclist entry and a row of search_docs (~1 µs with what follows), and a common q
   * costs the reading of this many before the scan starts: 3,000 keep that to ~2 ms.
   */
  static final int MAX_INDEX_HITS = 3_000;
  /** SQLite VM steps between two looks at the clock while the index answers (each look is a call up from C: ~µs). */
  static final int PROGRESS_STEPS = 100;
  /** How many times the index was stopped by its budget (tests). */
  final AtomicLong indexGaveUp = new AtomicLong();

  private final String url;
  private final boolean memory;
  private final ReentrantLock writeLock = new ReentrantLock(true);
  private final HikariDataSource readers; // null in memory mode: everything goes through the writer
  private Connection writer; // guarded by writeLock
  private volatile boolean closed;

  SqliteDatabase(StoreConfig config) {
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
    return new JsonArray(new ArrayList<>(ids)).encode();
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
