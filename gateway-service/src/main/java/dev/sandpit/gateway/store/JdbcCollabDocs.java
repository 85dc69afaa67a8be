package dev.sandpit.gateway.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/** {@link CollabDocs} over the store's {@link Database} (SQLite or PostgreSQL). */
final class JdbcCollabDocs implements CollabDocs {
  private final Database db;
  private final LongSupplier clock;

  JdbcCollabDocs(Database db, LongSupplier clock) {
    this.db = db;
    this.clock = clock;
  }

  @Override
  public Optional<Doc> load(String sessionId, String path) {
    return Optional.ofNullable(db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT format, state, stream_id, updated_at FROM collab_docs WHERE session_id = ? AND path = ?")) {
        ps.setString(1, sessionId);
        ps.setString(2, path);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? new Doc(sessionId, path, rs.getString(1), rs.getBytes(2), rs.getString(3), rs.getLong(4)) : null;
        }
      }
    }));
  }

  @Override
  public boolean save(String sessionId, String path, String format, byte[] state, String streamId, String expectedStreamId) {
    long now = clock.getAsLong();
    return db.write(c -> {
      if (expectedStreamId == null) {
        return update(c, "INSERT INTO collab_docs (session_id, path, format, state, stream_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (session_id, path) DO NOTHING", sessionId, path, format, state, streamId, now) == 1;
      }
      return update(c, "UPDATE collab_docs SET format = ?, state = ?, stream_id = ?, updated_at = ?"
          + " WHERE session_id = ? AND path = ? AND stream_id = ?", format, state, streamId, now, sessionId, path, expectedStreamId) == 1;
    });
  }

  @Override
  public List<String> paths(String sessionId) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT path FROM collab_docs WHERE session_id = ? ORDER BY path")) {
        ps.setString(1, sessionId);
        try (ResultSet rs = ps.executeQuery()) {
          List<String> out = new ArrayList<>();
          while (rs.next()) out.add(rs.getString(1));
          return out;
        }
      }
    });
  }

  @Override
  public boolean delete(String sessionId, String path) {
    return db.write(c -> update(c, "DELETE FROM collab_docs WHERE session_id = ? AND path = ?", sessionId, path) == 1);
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        Object a = args[i];
        if (a instanceof byte[] b) ps.setBytes(i + 1, b);
        else if (a instanceof Long n) ps.setLong(i + 1, n);
        else ps.setString(i + 1, (String) a);
      }
      return ps.executeUpdate();
    }
  }
}
