package dev.sandpit.gateway.store;

import static dev.sandpit.gateway.store.StoreException.Code.CONFLICT;
import java.util.Optional;
import java.util.function.LongSupplier;

/** The accounts section of {@link Store} over JDBC: users by name and id. */
final class JdbcAccounts extends JdbcSection {
  JdbcAccounts(Database db, LongSupplier clock) {
    super(db, clock);
  }

  public User createUser(String username, String passwordHash, boolean guest) {
    name("username", username, MAX_USERNAME_CHARS);
    if (passwordHash != null) text("passwordHash", passwordHash, 1024);
    User u = new User(newId(), username, passwordHash, guest, now());
    int n = db.write(c -> update(c, "INSERT INTO users (id, username, password_hash, guest, created_at, bytes) VALUES (?, ?, ?, ?, ?, 0) "
        + "ON CONFLICT DO NOTHING", u.id(), u.username(), u.passwordHash(), u.guest(), u.createdAt()));
    if (n == 0) throw new StoreException(CONFLICT, "username is taken");
    return u;
  }

  public Optional<User> userByName(String username) {
    if (username == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT " + USER_COLS + " FROM users WHERE username = ?", JdbcSection::user, username)));
  }

  public Optional<User> userById(String id) {
    if (id == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT " + USER_COLS + " FROM users WHERE id = ?", JdbcSection::user, id)));
  }
}
