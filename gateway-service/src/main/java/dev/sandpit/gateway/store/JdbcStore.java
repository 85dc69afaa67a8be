package dev.sandpit.gateway.store;

import static dev.sandpit.gateway.store.StoreException.Code.CONFLICT;
import static dev.sandpit.gateway.store.StoreException.Code.INVALID;
import static dev.sandpit.gateway.store.StoreException.Code.NOT_FOUND;
import static dev.sandpit.gateway.store.StoreException.Code.QUOTA;
import static dev.sandpit.gateway.store.StoreException.Code.TOO_LARGE;
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
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@link Store} over JDBC: SQLite (embedded default) or PostgreSQL, one schema (see
 * {@code db/migration/V1__store.sql}), connections and transactions in {@link Database}.
 *
 * <p>Concurrency: every change to a session's files (create, write, rename, delete, delete the
 * session) first locks the owner's {@code users} row, then the {@code sessions} row, in that order,
 * inside one transaction; the version check, the quota check and the write all happen under those
 * locks, so two writers (two threads, or two gateways on one PostgreSQL) cannot both pass a check
 * that only one of them may pass. On SQLite the single writer gives the same guarantee.
 */
final class JdbcStore implements Store {
  private static final SecureRandom RANDOM = new SecureRandom();

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

  private static final String SESSION_COLS = "s.id AS id, s.owner_id AS owner_id, s.name AS name, s.language AS language, "
      + "s.created_at AS created_at, s.updated_at AS updated_at, s.version AS version";
  private static final String USER_COLS = "id, username, password_hash, guest, created_at";
  private static final String SHARE_COLS = "token, session_id, role, created_by, created_at, revoked_at";
  private static final String RUN_COLS = "id, session_id, user_id, language, snapshot, stdin, started_at, status, exit_code, "
      + "wall_ms, cpu_ms, memory_kb, ended_at, transcript_bytes, transcript_capped, transcript_cap";

  /**
   * When the q search of listSessions asks the trigram index: only for a caller who owns at least
   * {@code minUserBytes} of files (below that a scan costs about as little: ~3 ns a byte), only
   * while at most {@code maxHits} files match (-1: the dialect's {@link Database#maxIndexHits}; 0:
   * never ask), and for at most {@code indexBudgetNanos} where the dialect can stop it (SQLite; see
   * {@link Database#indexHits}). Tests force either way to check that both give the same sessions.
   */
  record SearchTuning(long minUserBytes, int maxHits, long indexBudgetNanos) {
    /** 2 ms: a rare q takes 0.1–0.5 ms through SQLite's index; what runs longer is cheaper scanned. */
    static final long INDEX_BUDGET_NANOS = 2_000_000;
    static final SearchTuning DEFAULT = new SearchTuning(1 << 20, -1, INDEX_BUDGET_NANOS);
    static final SearchTuning ALWAYS_INDEX = new SearchTuning(0, Integer.MAX_VALUE - 1, Long.MAX_VALUE);
    static final SearchTuning ALWAYS_SCAN = new SearchTuning(0, 0, 0);
  }

  private final Database db;
  private final long transcriptCap;
  private final LongSupplier clock;
  private final SearchTuning search;

  /** The database under this store (tests). */
  Database database() {
    return db;
  }

  private JdbcStore(Database db, StoreConfig config, LongSupplier clock, SearchTuning search) {
    this.db = db;
    this.transcriptCap = config.transcriptCapBytes() > 0 ? config.transcriptCapBytes() : DEFAULT_TRANSCRIPT_CAP_BYTES;
    this.clock = clock;
    this.search = search;
  }

  static JdbcStore open(StoreConfig config) {
    return open(config, System::currentTimeMillis);
  }

  /** With a clock of epoch milliseconds (tests use one that ticks on every call). */
  static JdbcStore open(StoreConfig config, LongSupplier clock) {
    return open(config, clock, SearchTuning.DEFAULT);
  }

  static JdbcStore open(StoreConfig config, LongSupplier clock, SearchTuning search) {
    if (config == null) throw new StoreException(INVALID, "no store configuration");
    return new JdbcStore(Database.open(config), config, clock, search);
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

  @Override
  public String dialect() {
    return db.dialect();
  }

  @Override
  public void close() {
    db.close();
  }

  private long now() {
    return clock.getAsLong();
  }

  // ---------------------------------------------------------------------------------------------
  // accounts

  @Override
  public User createUser(String username, String passwordHash, boolean guest) {
    name("username", username, MAX_USERNAME_CHARS);
    if (passwordHash != null) text("passwordHash", passwordHash, 1024);
    User u = new User(newId(), username, passwordHash, guest, now());
    int n = db.write(c -> update(c, "INSERT INTO users (id, username, password_hash, guest, created_at, bytes) VALUES (?, ?, ?, ?, ?, 0) "
        + "ON CONFLICT DO NOTHING", u.id(), u.username(), u.passwordHash(), u.guest(), u.createdAt()));
    if (n == 0) throw new StoreException(CONFLICT, "username is taken");
    return u;
  }

  @Override
  public Optional<User> userByName(String username) {
    if (username == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT " + USER_COLS + " FROM users WHERE username = ?", JdbcStore::user, username)));
  }

  @Override
  public Optional<User> userById(String id) {
    if (id == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT " + USER_COLS + " FROM users WHERE id = ?", JdbcStore::user, id)));
  }

  // ---------------------------------------------------------------------------------------------
  // sessions

  @Override
  public Session createSession(String ownerId, String name, String language, List<FileWrite> files, FileLimits limits) {
    id("ownerId", ownerId);
    name("name", name, MAX_NAME_CHARS);
    name("language", language, MAX_LANGUAGE_CHARS);
    FileLimits lim = limits == null ? FileLimits.NONE : limits;
    List<FileWrite> fs = files == null ? List.of() : files;
    Set<String> paths = new HashSet<>();
    List<Encoded> encoded = new ArrayList<>(fs.size());
    long total = 0;
    for (FileWrite f : fs) {
      if (f == null) throw new StoreException(INVALID, "null file");
      path(f.path());
      if (f.content() == null) throw new StoreException(INVALID, "file '" + f.path() + "' has no content");
      if (!paths.add(f.path())) throw new StoreException(INVALID, "file '" + f.path() + "' given twice");
      if (f.content().length > lim.fileBytes()) throw new StoreException(TOO_LARGE, "file '" + f.path() + "' is larger than " + lim.fileBytes() + " bytes");
      Encoded e = Encoded.of(f.content(), f.binary());
      encoded.add(e);
      total += e.size;
    }
    if (total > lim.sessionBytes()) throw new StoreException(TOO_LARGE, "the files are larger than " + lim.sessionBytes() + " bytes together");
    for (String p : paths) {
      for (String a : ancestors(p)) {
        if (paths.contains(a)) throw new StoreException(CONFLICT, "'" + a + "' is a file and a directory");
      }
    }
    String id = newId();
    long now = now();
    long bytes = total;
    return db.write(c -> {
      // the owner's row locked until the commit: the quota check and the insert are one step
      Long userBytes = one(c, "SELECT bytes FROM users WHERE id = ?" + db.lockClause(), rs -> rs.getLong(1), ownerId);
      if (userBytes == null) throw new StoreException(NOT_FOUND, "user not found");
      if (bytes > 0 && userBytes > lim.userBytes() - bytes) {
        throw new StoreException(QUOTA, "the owner's files would be larger than " + lim.userBytes() + " bytes");
      }
      if (bytes != 0) update(c, "UPDATE users SET bytes = bytes + ? WHERE id = ?", bytes, ownerId);
      List<String> folded = new ArrayList<>();
      for (Encoded e : encoded) if (e.text != null) folded.add(fold(e.text));
      boolean small = bytes <= SearchText.MAX_BYTES;
      update(c, "INSERT INTO sessions (id, owner_id, name, name_lc, language, created_at, updated_at, version, bytes, search_text, search_grams, "
          + "search_version) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 1)", id, ownerId, name, fold(name), language, now, now, bytes,
          small ? SearchText.text(folded) : null, small ? SearchText.grams(folded) : null);
      if (!fs.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO files (session_id, path, text, text_lc, data, is_binary, size, version, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)")) {
          for (int i = 0; i < fs.size(); i++) {
            Encoded e = encoded.get(i);
            bind(ps, id, fs.get(i).path(), e.text, fold(e.text), e.data, fs.get(i).binary(), e.size, now);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      return new Session(id, ownerId, name, language, now, now, 1);
    });
  }

  @Override
  public Optional<SessionAccess> access(String sessionId, String userId) {
    if (sessionId == null || userId == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + SESSION_COLS + ", m.role AS role FROM sessions s "
          + "LEFT JOIN members m ON m.session_id = s.id AND m.user_id = ? WHERE s.id = ?")) {
        bind(ps, userId, sessionId);
        try (ResultSet rs = ps.executeQuery()) {
          Session s = null;
          String best = null;
          while (rs.next()) {
            s = session(rs);
            String role = rs.getString("role");
            if (role != null && (best == null || SessionAccess.rank(role) > SessionAccess.rank(best))) best = role;
          }
          if (s == null) return null;
          if (s.ownerId().equals(userId)) return new SessionAccess(s, SessionAccess.OWNER);
          return best == null ? null : new SessionAccess(s, best);
        }
      }
    }));
  }

  @Override
  public Page<SessionAccess> listSessions(String userId, String q, String language, int offset, int limit) {
    int lim = pageLimit(offset, limit);
    if (userId == null) return new Page<>(List.of(), 0, offset, lim);
    String pattern = q == null || q.isEmpty() ? null : fold(q);
    // names and texts never hold NUL (refused / stored as bytes), and PostgreSQL refuses it in a parameter
    if (pattern != null && pattern.indexOf('\0') >= 0) return new Page<>(List.of(), 0, offset, lim);
    return db.snapshot(c -> {
      // owned, then shared with me (a member, not the owner); both use an index on the user
      List<Object> ownedArgs = new ArrayList<>();
      ownedArgs.add(userId);
      List<Object> sharedArgs = new ArrayList<>();
      sharedArgs.add(userId);
      sharedArgs.add(userId);
      String owned = " FROM sessions s WHERE s.owner_id = ?";
      String shared = " FROM sessions s WHERE s.id IN (SELECT m.session_id FROM members m WHERE m.user_id = ?) AND s.owner_id <> ?";
      if (language != null) {
        owned += " AND s.language = ?";
        shared += " AND s.language = ?";
        ownedArgs.add(language);
        sharedArgs.add(language);
      }
      if (pattern != null) {
        List<String> hits = indexHits(c, userId, pattern);
        owned += " AND " + searchCondition(c, pattern, hits, ownedArgs);
        shared += " AND " + searchCondition(c, pattern, hits, sharedArgs);
      }

      // the caller's role: owner, or the highest of their memberships
      List<Object> pageArgs = new ArrayList<>(ownedArgs);
      pageArgs.add(userId);
      pageArgs.addAll(sharedArgs);
      pageArgs.add(lim);
      pageArgs.add(offset);
      String union = "SELECT " + SESSION_COLS + ", '" + SessionAccess.OWNER + "' AS role" + owned
          + " UNION ALL SELECT " + SESSION_COLS + ", (SELECT m.role FROM members m WHERE m.session_id = s.id AND m.user_id = ? "
          + "ORDER BY " + rankSql("m.role") + " DESC LIMIT 1) AS role" + shared;
      List<Object> countArgs = new ArrayList<>(ownedArgs);
      countArgs.addAll(sharedArgs);
      String countSql = "SELECT (SELECT COUNT(*)" + owned + ") + (SELECT COUNT(*)" + shared + ")";

      if (pattern == null) {
        // newest first straight from the (owner, updated_at) index: the page stops early, the count is index-only
        List<SessionAccess> items = list(c, union + " ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
            rs -> new SessionAccess(session(rs), rs.getString("role")), pageArgs.toArray());
        return new Page<>(items, total(c, items.size(), offset, lim, countSql, countArgs.toArray()), offset, lim);
      }
      // with q, telling a session matches may mean reading its texts: test each once, counting the
      // matches in the same pass that sorts them (a separate count doubled the time of a q that
      // most of a heavy user's files hold, or none does)
      long[] matched = {-1};
      List<SessionAccess> items = list(c, "SELECT u.*, COUNT(*) OVER () AS matched FROM (" + union + ") u "
          + "ORDER BY u.updated_at DESC, u.id DESC LIMIT ? OFFSET ?", rs -> {
            matched[0] = rs.getLong("matched");
            return new SessionAccess(session(rs), rs.getString("role"));
          }, pageArgs.toArray());
      long total = matched[0] >= 0 ? matched[0] : total(c, 0, offset, lim, countSql, countArgs.toArray()); // past the end
      return new Page<>(items, total, offset, lim);
    });
  }

  /**
   * The session ids of the text files that contain {@code pattern} (q lowercased), from the trigram
   * index, when the caller has enough text for a scan to cost more than asking the index
   * ({@link SearchTuning}) and the index can answer cheaply ({@link Database#indexHits}); else null:
   * scan.
   */
  private List<String> indexHits(Connection c, String userId, String pattern) throws SQLException {
    int max = search.maxHits() >= 0 ? search.maxHits() : db.maxIndexHits();
    if (max > 0 && (search.minUserBytes() <= 0 || ownedBytes(c, userId) >= search.minUserBytes())) {
      return db.indexHits(c, pattern, max, search.indexBudgetNanos());
    }
    return null;
  }

  /**
   * The q condition on sessions {@code s} (its arguments appended to {@code args}): a session matches
   * when its name or the text of one of its files contains {@code pattern}. The names are checked
   * one by one (short). The texts: the index's {@code hits} when it gave some, else each session's
   * {@link SearchText} (its bitmap first, for a q of 1 or 2 characters), or, for a session too
   * large to have one, its files until one matches. All give the same sessions.
   */
  private String searchCondition(Connection c, String pattern, List<String> hits, List<Object> args) throws SQLException {
    String name = db.contains("s.name_lc", pattern, args);
    if (hits != null) {
      if (hits.isEmpty()) return name;
      args.add(db.idsArg(c, new java.util.LinkedHashSet<>(hits)));
      return "(" + name + " OR " + db.inIds("s.id") + ")";
    }
    // a q holding the separator could match across two files' texts in search_text
    if (pattern.indexOf(SearchText.SEPARATOR) >= 0) return "(" + name + " OR " + filesContain(pattern, args) + ")";
    String grams = db.hasBits("s.search_grams", SearchText.queryBits(pattern)); // first: a session without q's bit is not read
    String text = (grams == null ? "" : grams + " AND ") + db.contains("s.search_text", pattern, args);
    // the copy is used only when it was written for the row's current version: a gateway of an
    // earlier release changes files without rewriting it, and bumps the version
    return "(" + name + " OR CASE WHEN s.search_text IS NOT NULL AND s.search_version = s.version THEN " + text
        + " ELSE " + filesContain(pattern, args) + " END)";
  }

  /** Session {@code s} has a text file containing {@code pattern} (its argument appended to {@code args}). */
  private String filesContain(String pattern, List<Object> args) {
    // one session at a time: "LIMIT 1 OFFSET 0" keeps PostgreSQL from turning the EXISTS into a
    // hashed scan of every file of every user
    return "EXISTS (SELECT 1 FROM files f WHERE f.session_id = s.id AND " + db.contains("f.text_lc", pattern, args) + " LIMIT 1 OFFSET 0)";
  }

  private static long ownedBytes(Connection c, String userId) throws SQLException {
    Long b = one(c, "SELECT bytes FROM users WHERE id = ?", rs -> rs.getLong(1), userId);
    return b == null ? 0 : b;
  }

  @Override
  public Session updateSession(String sessionId, String name, String language) {
    id("sessionId", sessionId);
    if (name != null) name("name", name, MAX_NAME_CHARS);
    if (language != null) name("language", language, MAX_LANGUAGE_CHARS);
    long now = now();
    return db.write(c -> {
      int n = update(c, "UPDATE sessions SET name = COALESCE(?, name), name_lc = COALESCE(?, name_lc), language = COALESCE(?, language), "
          + "version = version + 1, updated_at = CASE WHEN updated_at > ? THEN updated_at ELSE ? END, "
          // the search copy stays valid across a change that is not to the files (see SearchText)
          + "search_version = CASE WHEN search_version = version THEN version + 1 ELSE search_version END WHERE id = ?",
          name, fold(name), language, now, now, sessionId);
      if (n == 0) throw new StoreException(NOT_FOUND, "session not found");
      return one(c, "SELECT " + SESSION_COLS + " FROM sessions s WHERE s.id = ?", JdbcStore::session, sessionId);
    });
  }

  @Override
  public Optional<SessionSettings> sessionSettings(String sessionId) {
    if (sessionId == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT compiler, compiler_flags FROM sessions WHERE id = ?",
        rs -> new SessionSettings(rs.getString(1), flagsOf(rs.getString(2))), sessionId)));
  }

  @Override
  public SessionSettings updateSessionSettings(String sessionId, SessionSettings settings) {
    id("sessionId", sessionId);
    if (settings.compiler() != null) name("compiler", settings.compiler(), MAX_LANGUAGE_CHARS);
    if (settings.compilerFlags().size() > MAX_COMPILER_FLAGS) throw new StoreException(INVALID, "at most " + MAX_COMPILER_FLAGS + " compiler flags");
    String flags = settings.compilerFlags().isEmpty() ? null : new io.vertx.core.json.JsonArray(settings.compilerFlags()).encode();
    if (flags != null && flags.length() > MAX_COMPILER_FLAGS_CHARS) throw new StoreException(INVALID, "the compiler flags are too long");
    long now = now();
    return db.write(c -> {
      int n = update(c, "UPDATE sessions SET compiler = ?, compiler_flags = ?, updated_at = CASE WHEN updated_at > ? THEN updated_at ELSE ? END WHERE id = ?",
          settings.compiler(), flags, now, now, sessionId);
      if (n == 0) throw new StoreException(NOT_FOUND, "session not found");
      return one(c, "SELECT compiler, compiler_flags FROM sessions WHERE id = ?", rs -> new SessionSettings(rs.getString(1), flagsOf(rs.getString(2))), sessionId);
    });
  }

  private static List<String> flagsOf(String json) {
    if (json == null || json.isEmpty()) return List.of();
    List<String> out = new ArrayList<>();
    for (Object o : new io.vertx.core.json.JsonArray(json)) out.add(String.valueOf(o));
    return out;
  }

  @Override
  public CollabDocs collabDocs() {
    return new JdbcCollabDocs(db, clock);
  }

  @Override
  public boolean deleteSession(String sessionId) {
    if (sessionId == null) return false;
    return db.write(c -> {
      Locked l = lock(c, sessionId);
      if (l == null) return false;
      update(c, "DELETE FROM sessions WHERE id = ?", sessionId);
      if (l.sessionBytes != 0) update(c, "UPDATE users SET bytes = bytes - ? WHERE id = ?", l.sessionBytes, l.ownerId);
      return true;
    });
  }

  /** The owner's and the session's byte counts, their rows locked in that order (null: no such session). */
  private record Locked(String ownerId, long userBytes, long sessionBytes) {}

  private Locked lock(Connection c, String sessionId) throws SQLException {
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
  private void touch(Connection c, Locked l, String sessionId, long delta, long now) throws SQLException {
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

  // ---------------------------------------------------------------------------------------------
  // workspace files

  @Override
  public List<FileMeta> listFiles(String sessionId) {
    if (sessionId == null) return List.of();
    List<FileMeta> files = db.read(c -> list(c, "SELECT path, size, is_binary, version, updated_at FROM files WHERE session_id = ?",
        JdbcStore::fileMeta, sessionId));
    files.sort(Comparator.comparing(FileMeta::path));
    return files;
  }

  @Override
  public Optional<FileContent> readFile(String sessionId, String path) {
    if (sessionId == null || path == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT path, size, is_binary, version, updated_at, text, data FROM files "
        + "WHERE session_id = ? AND path = ?", rs -> {
          FileMeta meta = fileMeta(rs);
          String text = rs.getString("text");
          byte[] data = rs.getBytes("data");
          return new FileContent(meta, text != null ? text.getBytes(UTF_8) : data != null ? data : new byte[0]);
        }, sessionId, path)));
  }

  @Override
  public FileMeta writeFile(String sessionId, String path, byte[] content, boolean binary, Long expectedVersion, FileLimits limits) {
    id("sessionId", sessionId);
    path(path);
    if (content == null) throw new StoreException(INVALID, "no content");
    if (expectedVersion != null && expectedVersion < 0) throw new StoreException(INVALID, "expectedVersion must be null, 0 or a version");
    FileLimits lim = limits == null ? FileLimits.NONE : limits;
    if (content.length > lim.fileBytes()) throw new StoreException(TOO_LARGE, "file is larger than " + lim.fileBytes() + " bytes");
    Encoded e = Encoded.of(content, binary);
    long now = now();
    return db.write(c -> {
      Locked l = lock(c, sessionId);
      if (l == null) throw new StoreException(NOT_FOUND, "session not found");
      long[] old = one(c, "SELECT version, size FROM files WHERE session_id = ? AND path = ?",
          rs -> new long[] {rs.getLong(1), rs.getLong(2)}, sessionId, path);
      if (expectedVersion != null) {
        long have = old == null ? 0 : old[0];
        if (have != expectedVersion) {
          throw new StoreException(CONFLICT, old == null ? "file does not exist" : expectedVersion == 0 ? "file exists" : "file is at version " + have);
        }
      }
      if (old == null) checkFreePath(c, sessionId, path);
      long delta = e.size - (old == null ? 0 : old[1]);
      if (delta > 0) {
        if (l.sessionBytes > lim.sessionBytes() - delta) {
          throw new StoreException(QUOTA, "the session's files would be larger than " + lim.sessionBytes() + " bytes");
        }
        if (l.userBytes > lim.userBytes() - delta) {
          throw new StoreException(QUOTA, "the owner's files would be larger than " + lim.userBytes() + " bytes");
        }
      }
      long version;
      if (old == null) {
        version = 1;
        update(c, "INSERT INTO files (session_id, path, text, text_lc, data, is_binary, size, version, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)", sessionId, path, e.text, fold(e.text), e.data, binary, e.size, now);
      } else {
        version = old[0] + 1;
        update(c, "UPDATE files SET text = ?, text_lc = ?, data = ?, is_binary = ?, size = ?, version = ?, updated_at = ? "
            + "WHERE session_id = ? AND path = ?", e.text, fold(e.text), e.data, binary, e.size, version, now, sessionId, path);
      }
      touch(c, l, sessionId, delta, now);
      return new FileMeta(path, e.size, binary, version, now);
    });
  }

  /** A new file at {@code path}: none of its parents may be a file, and it may not be a directory. */
  private static void checkFreePath(Connection c, String sessionId, String path) throws SQLException {
    List<String> ancestors = ancestors(path);
    if (!ancestors.isEmpty()) {
      List<Object> args = new ArrayList<>();
      args.add(sessionId);
      args.addAll(ancestors);
      String file = one(c, "SELECT path FROM files WHERE session_id = ? AND path IN (" + "?, ".repeat(ancestors.size() - 1) + "?)",
          rs -> rs.getString(1), args.toArray());
      if (file != null) throw new StoreException(CONFLICT, "'" + file + "' is a file");
    }
    String dir = path + "/";
    if (exists(c, "SELECT 1 FROM files WHERE session_id = ? AND substr(path, 1, ?) = ?", sessionId, chars(dir), dir)) {
      throw new StoreException(CONFLICT, "'" + path + "' is a directory");
    }
  }

  @Override
  public void renameFile(String sessionId, String from, String to) {
    id("sessionId", sessionId);
    String f = trimSlash(from), t = trimSlash(to);
    path(f);
    path(t);
    if (t.startsWith(f + "/")) throw new StoreException(INVALID, "cannot move '" + f + "' into itself");
    long now = now();
    db.write(c -> {
      Locked l = lock(c, sessionId);
      if (l == null) throw new StoreException(NOT_FOUND, "session not found");
      Set<String> all = new HashSet<>(list(c, "SELECT path FROM files WHERE session_id = ?", rs -> rs.getString(1), sessionId));
      List<String> sources = new ArrayList<>();
      if (all.contains(f)) {
        sources.add(f);
      } else {
        for (String p : all) if (p.startsWith(f + "/")) sources.add(p);
      }
      if (sources.isEmpty()) throw new StoreException(NOT_FOUND, "no file or directory '" + f + "'");
      if (f.equals(t)) return null;
      for (String p : all) {
        if (p.equals(t) || p.startsWith(t + "/")) throw new StoreException(CONFLICT, "'" + t + "' exists");
      }
      for (String a : ancestors(t)) {
        if (all.contains(a)) throw new StoreException(CONFLICT, "'" + a + "' is a file");
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE files SET path = ?, version = version + 1, updated_at = ? WHERE session_id = ? AND path = ?")) {
        for (String p : sources) {
          String target = t + p.substring(f.length());
          if (utf8Length(target) > MAX_PATH_BYTES) throw new StoreException(INVALID, "path '" + target + "' is too long");
          bind(ps, target, now, sessionId, p);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      touch(c, l, sessionId, 0, now);
      return null;
    });
  }

  @Override
  public int deleteFile(String sessionId, String path) {
    id("sessionId", sessionId);
    String p = trimSlash(path);
    path(p);
    String dir = p + "/";
    long now = now();
    return db.write(c -> {
      Locked l = lock(c, sessionId);
      if (l == null) throw new StoreException(NOT_FOUND, "session not found");
      String where = " FROM files WHERE session_id = ? AND (path = ? OR substr(path, 1, ?) = ?)";
      List<Long> sizes = list(c, "SELECT size" + where, rs -> rs.getLong(1), sessionId, p, chars(dir), dir);
      if (sizes.isEmpty()) return 0;
      update(c, "DELETE" + where, sessionId, p, chars(dir), dir);
      long freed = sizes.stream().mapToLong(Long::longValue).sum();
      touch(c, l, sessionId, -freed, now);
      return sizes.size();
    });
  }

  @Override
  public long userBytes(String userId) {
    if (userId == null) return 0;
    Long b = db.read(c -> one(c, "SELECT bytes FROM users WHERE id = ?", rs -> rs.getLong(1), userId));
    return b == null ? 0 : b;
  }

  // ---------------------------------------------------------------------------------------------
  // sharing

  @Override
  public Share createShare(String sessionId, String role, String createdBy) {
    id("sessionId", sessionId);
    id("createdBy", createdBy);
    memberRole(role);
    Share s = new Share(newId(), sessionId, role, createdBy, now(), null);
    return db.write(c -> {
      if (!exists(c, "SELECT 1 FROM sessions WHERE id = ?", sessionId)) throw new StoreException(NOT_FOUND, "session not found");
      if (!exists(c, "SELECT 1 FROM users WHERE id = ?", createdBy)) throw new StoreException(NOT_FOUND, "user not found");
      update(c, "INSERT INTO shares (token, session_id, role, created_by, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)",
          s.token(), s.sessionId(), s.role(), s.createdBy(), s.createdAt());
      return s;
    });
  }

  @Override
  public List<Share> shares(String sessionId) {
    if (sessionId == null) return List.of();
    return db.read(c -> list(c, "SELECT " + SHARE_COLS + " FROM shares WHERE session_id = ? ORDER BY created_at, token", JdbcStore::share, sessionId));
  }

  @Override
  public boolean revokeShare(String sessionId, String token) {
    if (sessionId == null || token == null) return false;
    long now = now();
    return db.write(c -> {
      int n = update(c, "UPDATE shares SET revoked_at = ? WHERE token = ? AND session_id = ? AND revoked_at IS NULL", now, token, sessionId);
      if (!token.isEmpty()) update(c, "DELETE FROM members WHERE session_id = ? AND via_token = ?", sessionId, token);
      return n > 0;
    });
  }

  @Override
  public Optional<Share> share(String token) {
    if (token == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT " + SHARE_COLS + " FROM shares WHERE token = ? AND revoked_at IS NULL", JdbcStore::share, token)));
  }

  @Override
  public void addMember(String sessionId, String userId, String role, String viaToken) {
    id("sessionId", sessionId);
    id("userId", userId);
    memberRole(role);
    String via = viaToken == null ? "" : viaToken;
    long now = now();
    db.write(c -> {
      String owner = one(c, "SELECT owner_id FROM sessions WHERE id = ?", rs -> rs.getString(1), sessionId);
      if (owner == null) throw new StoreException(NOT_FOUND, "session not found");
      if (owner.equals(userId)) return null; // the owner is never a member
      if (!exists(c, "SELECT 1 FROM users WHERE id = ?", userId)) throw new StoreException(NOT_FOUND, "user not found");
      if (!via.isEmpty()) {
        // kept from changing until the commit, so a revocation either sees this membership or is seen by it
        String linkRole = one(c, "SELECT role FROM shares WHERE token = ? AND session_id = ? AND revoked_at IS NULL" + db.shareClause(),
            rs -> rs.getString(1), via, sessionId);
        if (linkRole == null) throw new StoreException(NOT_FOUND, "share link not found or revoked");
        if (SessionAccess.rank(role) > SessionAccess.rank(linkRole)) {
          throw new StoreException(INVALID, "the link grants " + linkRole + ", not " + role);
        }
      }
      update(c, "INSERT INTO members (session_id, user_id, via_token, role, joined_at) VALUES (?, ?, ?, ?, ?) "
          + "ON CONFLICT (session_id, user_id, via_token) DO UPDATE SET role = CASE WHEN " + rankSql("excluded.role") + " > "
          + rankSql("members.role") + " THEN excluded.role ELSE members.role END", sessionId, userId, via, role, now);
      return null;
    });
  }

  private static String rankSql(String column) {
    return "(CASE " + column + " WHEN 'editor' THEN 3 WHEN 'runner' THEN 2 WHEN 'viewer' THEN 1 ELSE 0 END)";
  }

  // ---------------------------------------------------------------------------------------------
  // history

  @Override
  public String putBlob(byte[] content) {
    if (content == null) throw new StoreException(INVALID, "no content");
    String hash = sha256(content);
    long now = now();
    // most puts are of bytes already stored and put lately (unchanged files): a read, which does not wait for the writer
    Long putAt = db.read(c -> one(c, "SELECT put_at FROM blobs WHERE hash = ?", rs -> rs.getLong(1), hash));
    if (putAt != null && putAt >= now - BLOB_GRACE_MS / 2) return hash;
    // new bytes, or bytes put long ago that the sweep may be about to take: vouched for again (or stored again if it just did)
    db.write(c -> {
      if (putAt != null && update(c, "UPDATE blobs SET put_at = ? WHERE hash = ? AND put_at < ?", now, hash, now) > 0) return null;
      return update(c, "INSERT INTO blobs (hash, data, size, created_at, put_at) VALUES (?, ?, ?, ?, ?) "
          + "ON CONFLICT (hash) DO UPDATE SET put_at = excluded.put_at", hash, content, (long) content.length, now, now);
    });
    return hash;
  }

  /**
   * Deletes blobs no run references that were last put more than {@link #BLOB_GRACE_MS} ago, in
   * batches of {@value #SWEEP_BATCH}. Why this is safe next to runs being started (without locks):
   * a run puts its file blobs and its manifest, then starts, referencing the manifest; putBlob keeps
   * {@code put_at} at most half the grace behind any put. So a blob deleted here was last put more
   * than half the grace ago, and a run that put it has long started (its reference is seen by the
   * DELETE, and its manifest was indexed into {@code blob_refs} before it; on PostgreSQL the foreign
   * key of runs.snapshot would refuse the delete anyway). The two steps below must take less than
   * half the grace (they take seconds).
   */
  @Override
  public int deleteUnreferencedBlobs(int max) {
    if (max <= 0) return 0;
    indexSnapshots();
    long before = now() - BLOB_GRACE_MS;
    int deleted = 0;
    while (deleted < max) {
      int batch = Math.min(SWEEP_BATCH, max - deleted);
      int n = db.write(c -> update(c, "DELETE FROM blobs WHERE hash IN (SELECT b.hash FROM blobs b WHERE b.put_at < ? "
          + "AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.snapshot = b.hash) "
          + "AND NOT EXISTS (SELECT 1 FROM blob_refs x JOIN runs r ON r.snapshot = x.blob WHERE x.ref = b.hash) LIMIT ?)", before, batch));
      deleted += n;
      if (n < batch) break;
    }
    return deleted;
  }

  static final int SWEEP_BATCH = 500;

  /** Writes the blob_refs of every run snapshot that has none yet (a row for the manifest itself marks it done). */
  private void indexSnapshots() {
    String after = "";
    while (true) {
      String from = after;
      List<String> manifests = db.read(c -> list(c, "SELECT DISTINCT r.snapshot FROM runs r WHERE r.snapshot > ? "
          + "AND NOT EXISTS (SELECT 1 FROM blob_refs x WHERE x.blob = r.snapshot AND x.ref = r.snapshot) ORDER BY r.snapshot LIMIT ?",
          rs -> rs.getString(1), from, SWEEP_BATCH));
      for (String m : manifests) {
        Set<String> refs = new java.util.TreeSet<>(manifestRefs(blob(m).orElse(new byte[0])));
        refs.add(m);
        try {
          db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blob_refs (blob, ref) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
              for (String r : refs) {
                bind(ps, m, r);
                ps.addBatch();
              }
              ps.executeBatch();
            }
            return null;
          });
        } catch (StoreException e) {
          if (e.code() != NOT_FOUND) throw e; // the manifest went meanwhile (its runs were deleted): nothing to keep
        }
      }
      if (manifests.size() < SWEEP_BATCH) return;
      after = manifests.get(manifests.size() - 1);
    }
  }

  /** The blob hashes a snapshot manifest (JSON object path → hash) names; none if it is not one. */
  static Set<String> manifestRefs(byte[] manifest) {
    Set<String> out = new HashSet<>();
    try {
      for (var e : new io.vertx.core.json.JsonObject(new String(manifest, UTF_8))) {
        if (e.getValue() instanceof String h && h.matches("[0-9a-f]{64}")) out.add(h);
      }
    } catch (io.vertx.core.json.DecodeException notAManifest) {
      // not a JSON object: a snapshot that names nothing
    }
    return out;
  }

  @Override
  public Optional<byte[]> blob(String hash) {
    if (hash == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT data FROM blobs WHERE hash = ?", rs -> {
      byte[] b = rs.getBytes(1);
      return b == null ? new byte[0] : b;
    }, hash)));
  }

  @Override
  public void startRun(RunRecord run) {
    if (run == null) throw new StoreException(INVALID, "no run");
    id("id", run.id());
    id("sessionId", run.sessionId());
    id("userId", run.userId());
    name("language", run.language(), MAX_LANGUAGE_CHARS);
    if (run.snapshot() != null) id("snapshot", run.snapshot());
    String status = run.status() == null ? "running" : run.status();
    name("status", status, MAX_LANGUAGE_CHARS);
    long cap = run.transcriptCap() > 0 ? Math.min(run.transcriptCap(), transcriptCap) : transcriptCap;
    byte[] stdin = run.stdin() == null ? null : run.stdin().getBytes(UTF_8);
    db.write(c -> {
      if (!exists(c, "SELECT 1 FROM sessions WHERE id = ?", run.sessionId())) throw new StoreException(NOT_FOUND, "session not found");
      if (!exists(c, "SELECT 1 FROM users WHERE id = ?", run.userId())) throw new StoreException(NOT_FOUND, "user not found");
      if (run.snapshot() != null && !exists(c, "SELECT 1 FROM blobs WHERE hash = ?", run.snapshot())) {
        throw new StoreException(NOT_FOUND, "snapshot blob not found");
      }
      int n = update(c, "INSERT INTO runs (" + RUN_COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING",
          run.id(), run.sessionId(), run.userId(), run.language(), run.snapshot(), stdin, run.startedAt(), status,
          run.exitCode(), run.wallMs(), run.cpuMs(), run.memoryKb(), run.endedAt(), false, cap);
      if (n == 0) throw new StoreException(CONFLICT, "run already exists");
      return null;
    });
  }

  @Override
  public void appendChunks(String runId, List<Chunk> chunks) {
    id("runId", runId);
    if (chunks == null || chunks.isEmpty()) return;
    List<Chunk> sorted = new ArrayList<>(chunks.size());
    for (Chunk ch : chunks) {
      if (ch == null || ch.data() == null) throw new StoreException(INVALID, "chunk without data");
      name("stream", ch.stream(), 32);
      sorted.add(ch);
    }
    sorted.sort(Comparator.comparingLong(Chunk::seq));
    db.write(c -> {
      long[] state = one(c, "SELECT transcript_bytes, transcript_cap, transcript_capped FROM runs WHERE id = ?" + db.lockClause(),
          rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getBoolean(3) ? 1 : 0}, runId);
      if (state == null) throw new StoreException(NOT_FOUND, "run not found");
      long used = state[0], cap = state[1];
      boolean capped = state[2] != 0;
      if (capped) return null;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_chunks (run_id, seq, stream, data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        for (Chunk ch : sorted) {
          byte[] data = ch.data().getBytes(UTF_8);
          long room = cap - used;
          if (data.length > room) {
            data = cutUtf8(data, (int) Math.max(0, room));
            capped = true;
          }
          if (data.length > 0 || !capped) {
            bind(ps, runId, ch.seq(), ch.stream(), data);
            if (ps.executeUpdate() > 0) used += data.length;
          }
          if (capped) break;
        }
      }
      update(c, "UPDATE runs SET transcript_bytes = ?, transcript_capped = ? WHERE id = ?", used, capped, runId);
      return null;
    });
  }

  @Override
  public void finishRun(String runId, RunEnd end) {
    id("runId", runId);
    if (end == null) throw new StoreException(INVALID, "no end");
    name("status", end.status(), MAX_LANGUAGE_CHARS);
    db.write(c -> {
      int n = update(c, "UPDATE runs SET status = ?, exit_code = ?, wall_ms = ?, cpu_ms = ?, memory_kb = ?, ended_at = ? WHERE id = ? AND ended_at IS NULL",
          end.status(), end.exitCode(), end.wallMs(), end.cpuMs(), end.memoryKb(), end.endedAt(), runId);
      if (n == 0 && !exists(c, "SELECT 1 FROM runs WHERE id = ?", runId)) throw new StoreException(NOT_FOUND, "run not found");
      return null;
    });
  }

  @Override
  public Page<RunRecord> listRuns(String sessionId, int offset, int limit) {
    int lim = pageLimit(offset, limit);
    if (sessionId == null) return new Page<>(List.of(), 0, offset, lim);
    return db.snapshot(c -> {
      List<RunRecord> items = list(c, "SELECT " + RUN_COLS + " FROM runs WHERE session_id = ? ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
          JdbcStore::run, sessionId, lim, offset);
      long total = total(c, items.size(), offset, lim, "SELECT COUNT(*) FROM runs WHERE session_id = ?", sessionId);
      return new Page<>(items, total, offset, lim);
    });
  }

  @Override
  public List<RunRecord> unfinishedRuns(long startedBefore, int limit) {
    int lim = Math.max(1, Math.min(limit, 1000));
    return db.read(c -> list(c, "SELECT " + RUN_COLS + " FROM runs WHERE ended_at IS NULL AND started_at < ? ORDER BY started_at LIMIT ?",
        JdbcStore::run, startedBefore, lim));
  }

  @Override
  public Optional<RunRecord> run(String runId) {
    if (runId == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT " + RUN_COLS + " FROM runs WHERE id = ?", JdbcStore::run, runId)));
  }

  @Override
  public List<Chunk> chunks(String runId) {
    if (runId == null) return List.of();
    return db.read(c -> list(c, "SELECT seq, stream, data FROM run_chunks WHERE run_id = ? ORDER BY seq",
        rs -> new Chunk(rs.getLong(1), rs.getString(2), utf8(rs.getBytes(3))), runId));
  }

  // ---------------------------------------------------------------------------------------------
  // rows

  private static User user(ResultSet rs) throws SQLException {
    return new User(rs.getString("id"), rs.getString("username"), rs.getString("password_hash"), rs.getBoolean("guest"), rs.getLong("created_at"));
  }

  private static Session session(ResultSet rs) throws SQLException {
    return new Session(rs.getString("id"), rs.getString("owner_id"), rs.getString("name"), rs.getString("language"),
        rs.getLong("created_at"), rs.getLong("updated_at"), rs.getLong("version"));
  }

  private static FileMeta fileMeta(ResultSet rs) throws SQLException {
    return new FileMeta(rs.getString("path"), rs.getLong("size"), rs.getBoolean("is_binary"), rs.getLong("version"), rs.getLong("updated_at"));
  }

  private static Share share(ResultSet rs) throws SQLException {
    return new Share(rs.getString("token"), rs.getString("session_id"), rs.getString("role"), rs.getString("created_by"),
        rs.getLong("created_at"), nullableLong(rs, "revoked_at"));
  }

  private static RunRecord run(ResultSet rs) throws SQLException {
    byte[] stdin = rs.getBytes("stdin");
    Long exit = nullableLong(rs, "exit_code");
    return new RunRecord(rs.getString("id"), rs.getString("session_id"), rs.getString("user_id"), rs.getString("language"),
        rs.getString("snapshot"), stdin == null ? null : utf8(stdin), rs.getLong("started_at"), rs.getString("status"),
        exit == null ? null : exit.intValue(), nullableLong(rs, "wall_ms"), nullableLong(rs, "cpu_ms"), nullableLong(rs, "memory_kb"),
        nullableLong(rs, "ended_at"), rs.getLong("transcript_bytes"), rs.getBoolean("transcript_capped"), rs.getLong("transcript_cap"));
  }

  private static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** A file's content as stored: text (valid UTF-8 without NUL, not binary) is searchable; anything else is kept as bytes. */
  private record Encoded(String text, byte[] data, long size) {
    static Encoded of(byte[] content, boolean binary) {
      if (!binary) {
        String text = strictUtf8(content);
        if (text != null && text.indexOf('\0') < 0) return new Encoded(text, null, content.length);
      }
      return new Encoded(null, content, content.length);
    }
  }

  private static String strictUtf8(byte[] b) {
    try {
      return UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String utf8(byte[] b) {
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
  private interface RowMapper<T> {
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

  private static <T> T one(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? mapper.map(rs) : null;
      }
    }
  }

  private static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) out.add(mapper.map(rs));
        return out;
      }
    }
  }

  private static boolean exists(Connection c, String sql, Object... args) throws SQLException {
    return one(c, sql, rs -> Boolean.TRUE, args) != null;
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  /** The total of a page: known without counting unless the page is full, or empty past the start. */
  private static long total(Connection c, int got, int offset, int limit, String countSql, Object... args) throws SQLException {
    if (got > 0 && got < limit) return (long) offset + got;
    if (got == 0 && offset == 0) return 0;
    Long n = one(c, countSql, rs -> rs.getLong(1), args);
    return n == null ? 0 : n;
  }

  // ---------------------------------------------------------------------------------------------
  // validation

  private static int pageLimit(int offset, int limit) {
    if (offset < 0) throw new StoreException(INVALID, "offset must not be negative");
    if (limit < 1) throw new StoreException(INVALID, "limit must be at least 1");
    return Math.min(limit, MAX_PAGE);
  }

  /** How names and texts are stored for the search, and how q is matched against them: lowercased by Java, the same for both databases. */
  static String fold(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static void id(String field, String v) {
    if (v == null || v.isEmpty()) throw new StoreException(INVALID, field + " is missing");
    if (v.length() > MAX_ID_CHARS) throw new StoreException(INVALID, field + " is too long");
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch <= ' ' || ch == 0x7f) throw new StoreException(INVALID, field + " contains a space or a control character");
    }
  }

  /** A required, non-blank single-line text. */
  private static void name(String field, String v, int maxChars) {
    if (v == null || v.isBlank()) throw new StoreException(INVALID, field + " is missing");
    text(field, v, maxChars);
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch < ' ' || ch == 0x7f) throw new StoreException(INVALID, field + " contains a control character");
    }
  }

  private static void text(String field, String v, int maxChars) {
    if (v.length() > maxChars) throw new StoreException(INVALID, field + " is longer than " + maxChars + " characters");
    if (v.indexOf('\0') >= 0) throw new StoreException(INVALID, field + " contains NUL");
  }

  private static void memberRole(String role) {
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

  private static String trimSlash(String p) {
    return p != null && p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** "a/b/c" → ["a", "a/b"]. */
  static List<String> ancestors(String path) {
    List<String> out = new ArrayList<>();
    for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.add(path.substring(0, i));
    return out;
  }

  /** Characters as SQL's substr and length count them (code points). */
  private static int chars(String s) {
    return s.codePointCount(0, s.length());
  }

  private static int utf8Length(String s) {
    return s.getBytes(UTF_8).length;
  }
}
