package dev.sandpit.gateway.store;

import dev.sandpit.config.Settings;
import java.nio.file.Path;

/**
 * Where the store lives.
 *
 * @param jdbcUrl from {@code DATABASE_URL} ({@code postgres://user:pass@host:port/db},
 *     {@code postgresql://…} or a {@code jdbc:} URL); empty means SQLite at {@code dataDir/sandpit.db}
 * @param dataDir {@code SANDPIT_DATA_DIR}
 * @param poolSize {@code SANDPIT_DB_POOL_SIZE}
 * @param transcriptCapBytes {@code SANDPIT_TRANSCRIPT_CAP_BYTES}: transcript kept per run
 */
public record StoreConfig(String jdbcUrl, String user, String password, Path dataDir, int poolSize, long transcriptCapBytes) {
  public static final String DATABASE_URL = "DATABASE_URL";
  public static final String DATA_DIR = "SANDPIT_DATA_DIR";
  public static final String POOL_SIZE = "SANDPIT_DB_POOL_SIZE";
  public static final String TRANSCRIPT_CAP_BYTES = "SANDPIT_TRANSCRIPT_CAP_BYTES";

  public static StoreConfig from(Settings s) {
    Path data = Path.of(s.string(DATA_DIR, ".sandpit/data"));
    String url = s.string(DATABASE_URL, "");
    String user = null, password = null;
    if (url.isEmpty()) {
      url = "jdbc:sqlite:" + data.resolve("sandpit.db");
    } else if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
      java.net.URI u = java.net.URI.create(url);
      if (u.getUserInfo() != null) {
        String[] up = u.getUserInfo().split(":", 2);
        user = up[0];
        password = up.length > 1 ? up[1] : null;
      }
      url = "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getPath()
          + (u.getQuery() == null ? "" : "?" + u.getQuery());
    } else if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
      throw new Settings.ConfigException(DATABASE_URL, "'" + url + "' is neither a PostgreSQL nor a SQLite URL");
    }
    return new StoreConfig(url, user, password, data, s.intValue(POOL_SIZE, 8, 1, 256),
        s.longValue(TRANSCRIPT_CAP_BYTES, 1 << 20, 1024, 1L << 30));
  }
}
