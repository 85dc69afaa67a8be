package dev.sandpit.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.json.JsonArray;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@link Database} over PostgreSQL. */
final class PostgresDatabase extends Database {
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

  PostgresDatabase(StoreConfig config) {
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
        return new JsonArray(rs.getString(1)).getJsonObject(0).getJsonObject("Plan").getDouble("Plan Rows");
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
