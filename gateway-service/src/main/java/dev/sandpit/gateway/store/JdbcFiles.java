package dev.sandpit.gateway.store;

import static dev.sandpit.gateway.store.StoreException.Code.CONFLICT;
import static dev.sandpit.gateway.store.StoreException.Code.INVALID;
import static dev.sandpit.gateway.store.StoreException.Code.NOT_FOUND;
import static dev.sandpit.gateway.store.StoreException.Code.TOO_LARGE;
import static java.nio.charset.StandardCharsets.UTF_8;
import dev.sandpit.gateway.store.StoreException.Scope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/** The workspace-files section of {@link Store} over JDBC: list, read, write (version and quota checked under the row locks), rename, delete. */
final class JdbcFiles extends JdbcSection {
  JdbcFiles(Database db, LongSupplier clock) {
    super(db, clock);
  }

  public List<FileMeta> listFiles(String sessionId) {
    if (sessionId == null) return List.of();
    List<FileMeta> files = db.read(c -> list(c, "SELECT path, size, is_binary, version, updated_at FROM files WHERE session_id = ?",
        JdbcSection::fileMeta, sessionId));
    files.sort(Comparator.comparing(FileMeta::path));
    return files;
  }

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
      long delta = e.size() - (old == null ? 0 : old[1]);
      if (delta > 0) {
        if (l.sessionBytes() > lim.sessionBytes() - delta) {
          throw StoreException.quota(Scope.SESSION, "the session's files would be larger than " + lim.sessionBytes() + " bytes");
        }
        if (l.userBytes() > lim.userBytes() - delta) {
          throw StoreException.quota(Scope.USER, "the owner's files would be larger than " + lim.userBytes() + " bytes");
        }
      }
      long version;
      if (old == null) {
        version = 1;
        update(c, "INSERT INTO files (session_id, path, text, text_lc, data, is_binary, size, version, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)", sessionId, path, e.text(), fold(e.text()), e.data(), binary, e.size(), now);
      } else {
        version = old[0] + 1;
        update(c, "UPDATE files SET text = ?, text_lc = ?, data = ?, is_binary = ?, size = ?, version = ?, updated_at = ? "
            + "WHERE session_id = ? AND path = ?", e.text(), fold(e.text()), e.data(), binary, e.size(), version, now, sessionId, path);
      }
      touch(c, l, sessionId, delta, now);
      return new FileMeta(path, e.size(), binary, version, now);
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

  public long userBytes(String userId) {
    if (userId == null) return 0;
    Long b = db.read(c -> one(c, "SELECT bytes FROM users WHERE id = ?", rs -> rs.getLong(1), userId));
    return b == null ? 0 : b;
  }
}
