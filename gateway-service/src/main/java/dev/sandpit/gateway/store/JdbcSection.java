package dev.sandpit.gateway.store;

import static dev.sandpit.gateway.store.StoreException.Code.INVALID;
import static java.nio.charset.StandardCharsets.UTF_8;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * What every part of {@link JdbcStore} shares: the database and the clock, the id and hash
 * helpers, row mapping, the JDBC helpers, validation, and the users-then-sessions row lock every
 * change to a session's files takes first (see {@link JdbcStore} for the locking order).
 */
abstract class JdbcSection {
  static final SecureRandom RANDOM = new SecureRandom();

  /** Most items one page may hold. */
  public static final int MAX_PAGE = 100;
  public static final int MAX_USERNAME_CHARS = 100;
  public static final int MAX_NAME_CHARS = 200;
  public static final int MAX_LANGUAGE_CHARS = 64;
  /** Compiler flags a session keeps: how many, and their JSON array's length. */
  public static final int MAX_COMPILER_FLAGS = 64, MAX_COMPILER_FLAGS_CHARS = 8192;
  public static final int MAX_PATH_BYTES = 1024;
  public static final int MAX_ID_CHARS = 128;
  /** The transcript cap used when the configuration gives none. */
  public static final long DEFAULT_TRANSCRIPT_CAP_BYTES = 1 << 20;

  static final String SESSION_COLS = "s.id AS id, s.owner_id AS owner_id, s.name AS name, s.language AS language, "
      + "s.created_at AS created_at, s.updated_at AS updated_at, s.version AS version";
  static final String USER_COLS = "id, username, password_hash, guest, created_at";
  static final String SHARE_COLS = "token, session_id, role, created_by, created_at, revoked_at";
  static final String RUN_COLS = "id, session_id, user_id, language, snapshot, stdin, started_at, status, exit_code, "
      + "wall_ms, cpu_ms, memory_kb, ended_at, transcript_bytes, transcript_capped, transcript_cap";

  final Database db;
  final LongSupplier clock;

  JdbcSection(Database db, LongSupplier clock) {
    this.db = db;
    this.clock = clock;
  }

  /** A random 128-bit id, lowercase hex (like the job ids). */
  static String newId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The SHA-256 of {@code content}, lowercase hex: the key {@link #putBlob} stores it under. */
  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  long now() {
    return clock.getAsLong();
  }

  // ---------------------------------------------------------------------------------------------
  // the owner's and the session's row lock

  /** The owner's and the session's byte counts, their rows locked in that order (null: no such session). */
  record Locked(String ownerId, long userBytes, long sessionBytes) {}

  Locked lock(Connection c, String sessionId) throws SQLException {
    String owner = one(c, "SELECT owner_id FROM sessions WHERE id = ?", rs -> rs.getString(1), sessionId);
    if (owner == null) return null;
    Long userBytes = one(c, "SELECT bytes FROM users WHERE id = ?" + db.lockClause(), rs -> rs.getLong(1), owner);
    Long sessionBytes = one(c, "SELECT bytes FROM sessions WHERE id = ?" + db.lockClause(), rs -> rs.getLong(1), sessionId);
    if (userBytes == null || sessionBytes == null) return null; // deleted meanwhile
    return new Locked(owner, userBytes, sessionBytes);
  }

  /**
   * A change to the session's files: the session's version, updated_at, byte count and
   * {@link SearchText} (in one row version); the owner's byte count.
   */
  void touch(Connection c, Locked l, String sessionId, long delta, long now) throws SQLException {
    String text = null;
    byte[] grams = null;
    if (l.sessionBytes + delta <= SearchText.MAX_BYTES) {
      List<String> folded = list(c, "SELECT text_lc FROM files WHERE session_id = ? AND text_lc IS NOT NULL", rs -> rs.getString(1), sessionId);
      text = SearchText.text(folded);
      grams = SearchText.grams(folded);
    }
    update(c, "UPDATE sessions SET bytes = bytes + ?, version = version + 1, updated_at = CASE WHEN updated_at > ? THEN updated_at ELSE ? END, "
        + "search_text = ?, search_grams = ?, search_version = version + 1 WHERE id = ?", delta, now, now, text, grams, sessionId);
    if (delta != 0) update(c, "UPDATE users SET bytes = bytes + ? WHERE id = ?", delta, l.ownerId);
  }

  /** A member role as a number for SQL to compare: editor 3, runner 2, viewer 1. */
  static String rankSql(String column) {
    return "(CASE " + column + " WHEN 'editor' THEN 3 WHEN 'runner' THEN 2 WHEN 'viewer' THEN 1 ELSE 0 END)";
  }

  // ---------------------------------------------------------------------------------------------
  // rows

  static User user(ResultSet rs) throws SQLException {
    return new User(rs.getString("id"), rs.getString("username"), rs.getString("password_hash"), rs.getBoolean("guest"), rs.getLong("created_at"));
  }

  static Session session(ResultSet rs) throws SQLException {
    return new Session(rs.getString("id"), rs.getString("owner_id"), rs.getString("name"), rs.getString("language"),
        rs.getLong("created_at"), rs.getLong("updated_at"), rs.getLong("version"));
  }

  static FileMeta fileMeta(ResultSet rs) throws SQLException {
    return new FileMeta(rs.getString("path"), rs.getLong("size"), rs.getBoolean("is_binary"), rs.getLong("version"), rs.getLong("updated_at"));
  }

  static Share share(ResultSet rs) throws SQLException {
    return new Share(rs.getString("token"), rs.getString("session_id"), rs.getString("role"), rs.getString("created_by"),
        rs.getLong("created_at"), nullableLong(rs, "revoked_at"));
  }

  static RunRecord run(ResultSet rs) throws SQLException {
    byte[] stdin = rs.getBytes("stdin");
    Long exit = nullableLong(rs, "exit_code");
    return new RunRecord(rs.getString("id"), rs.getString("session_id"), rs.getString("user_id"), rs.getString("language"),
        rs.getString("snapshot"), stdin == null ? null : utf8(stdin), rs.getLong("started_at"), rs.getString("status"),
        exit == null ? null : exit.intValue(), nullableLong(rs, "wall_ms"), nullableLong(rs, "cpu_ms"), nullableLong(rs, "memory_kb"),
        nullableLong(rs, "ended_at"), rs.getLong("transcript_bytes"), rs.getBoolean("transcript_capped"), rs.getLong("transcript_cap"));
  }

  static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** A file's content as stored: text (valid UTF-8 without NUL, not binary) is searchable; anything else is kept as bytes. */
  record Encoded(String text, byte[] data, long size) {
    static Encoded of(byte[] content, boolean binary) {
      if (!binary) {
        String text = strictUtf8(content);
        if (text != null && text.indexOf('\0') < 0) return new Encoded(text, null, content.length);
      }
      return new Encoded(null, content, content.length);
    }
  }

  static String strictUtf8(byte[] b) {
    try {
      return UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static String utf8(byte[] b) {
    return b == null ? "" : new String(b, UTF_8);
  }

  /** The longest prefix of UTF-8 {@code b} of at most {@code max} bytes that ends on a character boundary. */
  static byte[] cutUtf8(byte[] b, int max) {
    if (b.length <= max) return b;
    int end = max;
    while (end > 0 && (b[end] & 0xC0) == 0x80) end--; // b[end] is a continuation byte: back to its lead byte
    byte[] out = new byte[end];
    System.arraycopy(b, 0, out, 0, end);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // JDBC helpers

  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      int k = i + 1;
      if (a == null) ps.setNull(k, Types.NULL);
      else if (a instanceof String s) ps.setString(k, s);
      else if (a instanceof Long l) ps.setLong(k, l);
      else if (a instanceof Integer n) ps.setInt(k, n);
      else if (a instanceof Boolean b) ps.setBoolean(k, b);
      else if (a instanceof byte[] b) ps.setBytes(k, b);
      else if (a instanceof java.sql.Array arr) ps.setArray(k, arr);
      else throw new IllegalArgumentException("cannot bind " + a.getClass());
    }
  }

  static <T> T one(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? mapper.map(rs) : null;
      }
    }
  }

  static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) out.add(mapper.map(rs));
        return out;
      }
    }
  }

  static boolean exists(Connection c, String sql, Object... args) throws SQLException {
    return one(c, sql, rs -> Boolean.TRUE, args) != null;
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  /** The total of a page: known without counting unless the page is full, or empty past the start. */
  static long total(Connection c, int got, int offset, int limit, String countSql, Object... args) throws SQLException {
    if (got > 0 && got < limit) return (long) offset + got;
    if (got == 0 && offset == 0) return 0;
    Long n = one(c, countSql, rs -> rs.getLong(1), args);
    return n == null ? 0 : n;
  }

  // ---------------------------------------------------------------------------------------------
  // validation

  static int pageLimit(int offset, int limit) {
    if (offset < 0) throw new StoreException(INVALID, "offset must not be negative");
    if (limit < 1) throw new StoreException(INVALID, "limit must be at least 1");
    return Math.min(limit, MAX_PAGE);
  }

  /** How names and texts are stored for the search, and how q is matched against them: lowercased by Java, the same for both databases. */
  static String fold(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  static void id(String field, String v) {
    if (v == null || v.isEmpty()) throw new StoreException(INVALID, field + " is missing");
    if (v.length() > MAX_ID_CHARS) throw new StoreException(INVALID, field + " is too long");
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch <= ' ' || ch == 0x7f) throw new StoreException(INVALID, field + " contains a space or a control character");
    }
  }

  /** A required, non-blank single-line text. */
  static void name(String field, String v, int maxChars) {
    if (v == null || v.isBlank()) throw new StoreException(INVALID, field + " is missing");
    text(field, v, maxChars);
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch < ' ' || ch == 0x7f) throw new StoreException(INVALID, field + " contains a control character");
    }
  }

  static void text(String field, String v, int maxChars) {
    if (v.length() > maxChars) throw new StoreException(INVALID, field + " is longer than " + maxChars + " characters");
    if (v.indexOf('\0') >= 0) throw new StoreException(INVALID, field + " contains NUL");
  }

  static void memberRole(String role) {
    if (!SessionAccess.EDITOR.equals(role) && !SessionAccess.RUNNER.equals(role) && !SessionAccess.VIEWER.equals(role)) {
      throw new StoreException(INVALID, "role must be editor, runner or viewer");
    }
  }

  /** A workspace path: relative, '/'-separated, no empty, '.' or '..' segment, no control character, at most 1 KiB. */
  static void path(String p) {
    if (p == null || p.isEmpty()) throw new StoreException(INVALID, "path is missing");
    if (utf8Length(p) > MAX_PATH_BYTES) throw new StoreException(INVALID, "path is longer than " + MAX_PATH_BYTES + " bytes");
    for (int i = 0; i < p.length(); i++) {
      char ch = p.charAt(i);
      if (ch < ' ' || ch == 0x7f) throw new StoreException(INVALID, "path contains a control character");
    }
    for (String seg : p.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        throw new StoreException(INVALID, "path '" + p + "' is not a relative path without empty, '.' or '..' parts");
      }
    }
  }

  static String trimSlash(String p) {
    return p != null && p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** "a/b/c" → ["a", "a/b"]. */
  static List<String> ancestors(String path) {
    List<String> out = new ArrayList<>();
    for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.add(path.substring(0, i));
    return out;
  }

  /** Characters as SQL's substr and length count them (code points). */
  static int chars(String s) {
    return s.codePointCount(0, s.length());
  }

  static int utf8Length(String s) {
    return s.getBytes(UTF_8).length;
  }
}
