package dev.sandpit.gateway.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Both databases: {@code sessions.search_text} and {@code search_grams} (V4) for the sessions that
 * existed before them, computed by {@link SearchText} as the store computes them on every write
 * (the bitmap has no SQL form). Sessions over {@link SearchText#MAX_BYTES} keep NULL.
 */
final class V6__search_text_fill extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    try (PreparedStatement read = c.prepareStatement("SELECT s.id, f.text_lc FROM sessions s LEFT JOIN files f "
            + "ON f.session_id = s.id AND f.text_lc IS NOT NULL WHERE s.bytes <= ? ORDER BY s.id");
         PreparedStatement write = c.prepareStatement("UPDATE sessions SET search_text = ?, search_grams = ?, search_version = version WHERE id = ?")) {
      read.setLong(1, SearchText.MAX_BYTES);
      read.setFetchSize(1_000); // PostgreSQL streams (in Flyway's transaction) instead of loading every text at once
      try (ResultSet rs = read.executeQuery()) {
        String session = null;
        List<String> folded = new ArrayList<>();
        int pending = 0;
        while (true) {
          boolean more = rs.next();
          String id = more ? rs.getString(1) : null;
          if (session != null && !session.equals(id)) {
            write.setString(1, SearchText.text(folded));
            write.setBytes(2, SearchText.grams(folded));
            write.setString(3, session);
            write.addBatch();
            if (++pending == 500) {
              write.executeBatch();
              pending = 0;
            }
            folded.clear();
          }
          if (!more) break;
          session = id;
          String text = rs.getString(2);
          if (text != null) folded.add(text);
        }
        if (pending > 0) write.executeBatch();
      }
    }
  }
}
