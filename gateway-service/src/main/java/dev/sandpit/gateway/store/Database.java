package dev.sandpit.gateway.store;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
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
    if (url.startsWith("jdbc:sqlite:")) return new SqliteDatabase(config);
    if (url.startsWith("jdbc:postgresql:")) return new PostgresDatabase(config);
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
}
