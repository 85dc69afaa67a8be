package dev.sandpit.gateway.store;

import java.security.SecureRandom;
import java.util.HexFormat;

/** A fresh PostgreSQL schema for tests outside this package, as a DATABASE_URL (dropped by {@link #drop}). */
public final class PostgresForTests {
  private PostgresForTests() {}

  public record Database(String url, String schema) {}

  public static Database create() throws Exception {
    PostgresHarness.Server s = PostgresHarness.server();
    byte[] r = new byte[6];
    new SecureRandom().nextBytes(r);
    String schema = "api_" + HexFormat.of().formatHex(r);
    String url = PostgresHarness.createSchema(s, schema);
    if (s.user() != null) url += "&user=" + s.user();
    if (s.password() != null) url += "&password=" + s.password();
    return new Database(url, schema);
  }

  public static void drop(Database db) throws Exception {
    PostgresHarness.dropSchema(PostgresHarness.server(), db.schema());
  }
}
