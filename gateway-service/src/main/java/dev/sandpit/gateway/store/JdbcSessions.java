package dev.sandpit.gateway.store;

import static dev.sandpit.gateway.store.StoreException.Code.CONFLICT;
import static dev.sandpit.gateway.store.StoreException.Code.INVALID;
import static dev.sandpit.gateway.store.StoreException.Code.NOT_FOUND;
import static dev.sandpit.gateway.store.StoreException.Code.TOO_LARGE;
import dev.sandpit.gateway.store.StoreException.Scope;
import io.vertx.core.json.JsonArray;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/** The sessions section of {@link Store} over JDBC: create (with its files, under the owner's quota), access, list and search, rename, settings, delete. */
final class JdbcSessions extends JdbcSection {
  private final JdbcStore.SearchTuning search;

  JdbcSessions(Database db, LongSupplier clock, JdbcStore.SearchTuning search) {
    super(db, clock);
    this.search = search;
  }

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
      total += e.size();
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
        throw StoreException.quota(Scope.USER, "the owner's files would be larger than " + lim.userBytes() + " bytes");
      }
      if (bytes != 0) update(c, "UPDATE users SET bytes = bytes + ? WHERE id = ?", bytes, ownerId);
      List<String> folded = new ArrayList<>();
      for (Encoded e : encoded) if (e.text() != null) folded.add(fold(e.text()));
      boolean small = bytes <= SearchText.MAX_BYTES;
      update(c, "INSERT INTO sessions (id, owner_id, name, name_lc, language, created_at, updated_at, version, bytes, search_text, search_grams, "
          + "search_version) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 1)", id, ownerId, name, fold(name), language, now, now, bytes,
          small ? SearchText.text(folded) : null, small ? SearchText.grams(folded) : null);
      if (!fs.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO files (session_id, path, text, text_lc, data, is_binary, size, version, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)")) {
          for (int i = 0; i < fs.size(); i++) {
            Encoded e = encoded.get(i);
            bind(ps, id, fs.get(i).path(), e.text(), fold(e.text()), e.data(), fs.get(i).binary(), e.size(), now);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      return new Session(id, ownerId, name, language, now, now, 1);
    });
  }

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
      args.add(db.idsArg(c, new LinkedHashSet<>(hits)));
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
      return one(c, "SELECT " + SESSION_COLS + " FROM sessions s WHERE s.id = ?", JdbcSection::session, sessionId);
    });
  }

  public Optional<SessionSettings> sessionSettings(String sessionId) {
    if (sessionId == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT compiler, compiler_flags FROM sessions WHERE id = ?",
        rs -> new SessionSettings(rs.getString(1), flagsOf(rs.getString(2))), sessionId)));
  }

  public SessionSettings updateSessionSettings(String sessionId, SessionSettings settings) {
    id("sessionId", sessionId);
    if (settings.compiler() != null) name("compiler", settings.compiler(), MAX_LANGUAGE_CHARS);
    if (settings.compilerFlags().size() > MAX_COMPILER_FLAGS) throw new StoreException(INVALID, "at most " + MAX_COMPILER_FLAGS + " compiler flags");
    String flags = settings.compilerFlags().isEmpty() ? null : new JsonArray(settings.compilerFlags()).encode();
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
    for (Object o : new JsonArray(json)) out.add(String.valueOf(o));
    return out;
  }

  public boolean deleteSession(String sessionId) {
    if (sessionId == null) return false;
    return db.write(c -> {
      Locked l = lock(c, sessionId);
      if (l == null) return false;
      update(c, "DELETE FROM sessions WHERE id = ?", sessionId);
      if (l.sessionBytes() != 0) update(c, "UPDATE users SET bytes = bytes - ? WHERE id = ?", l.sessionBytes(), l.ownerId());
      return true;
    });
  }
}
