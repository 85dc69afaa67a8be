package dev.sandpit.gateway.store;

import static dev.sandpit.gateway.store.StoreException.Code.CONFLICT;
import static dev.sandpit.gateway.store.StoreException.Code.INVALID;
import static dev.sandpit.gateway.store.StoreException.Code.NOT_FOUND;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/** The sharing section of {@link Store} over JDBC: share links and the memberships gained through them. */
final class JdbcShares extends JdbcSection {
  JdbcShares(Database db, LongSupplier clock) {
    super(db, clock);
  }

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

  public List<Share> shares(String sessionId) {
    if (sessionId == null) return List.of();
    return db.read(c -> list(c, "SELECT " + SHARE_COLS + " FROM shares WHERE session_id = ? ORDER BY created_at, token", JdbcSection::share, sessionId));
  }

  public boolean revokeShare(String sessionId, String token) {
    if (sessionId == null || token == null) return false;
    long now = now();
    return db.write(c -> {
      int n = update(c, "UPDATE shares SET revoked_at = ? WHERE token = ? AND session_id = ? AND revoked_at IS NULL", now, token, sessionId);
      if (!token.isEmpty()) update(c, "DELETE FROM members WHERE session_id = ? AND via_token = ?", sessionId, token);
      return n > 0;
    });
  }

  public Optional<Share> share(String token) {
    if (token == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT " + SHARE_COLS + " FROM shares WHERE token = ? AND revoked_at IS NULL", JdbcSection::share, token)));
  }

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

}
