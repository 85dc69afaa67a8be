package dev.sandpit.api;

import org.junit.jupiter.api.BeforeAll;

/** The sessions API against the embedded default store, a SQLite file. */
class SessionApiSqliteIT extends SessionApiContract {
  @BeforeAll
  static void up() throws Exception {
    startStack(63500, null);
  }
}
