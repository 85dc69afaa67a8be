package dev.sandpit.api;

import dev.sandpit.gateway.store.PostgresForTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The sessions API against PostgreSQL (its own schema on the harness's server). */
class SessionApiPostgresIT extends SessionApiContract {
  static PostgresForTests.Database db;

  @BeforeAll
  static void up() throws Exception {
    db = PostgresForTests.create();
    startStack(63600, db.url());
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (db != null) PostgresForTests.drop(db);
  }
}
