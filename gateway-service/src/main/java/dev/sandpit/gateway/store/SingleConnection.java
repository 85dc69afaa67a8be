package dev.sandpit.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The one connection of an in-memory SQLite database, for Flyway (which closes what it gets). */
final class SingleConnection implements DataSource {
  private final Connection c;

  SingleConnection(Connection c) {
    this.c = c;
  }

  @Override
  public Connection getConnection() {
    return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, m, args) -> {
          if (m.getName().equals("close")) return null;
          if (m.getName().equals("isClosed")) return false;
          try {
            return m.invoke(c, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Override
  public Connection getConnection(String user, String password) {
    return getConnection();
  }

  @Override
  public java.io.PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(java.io.PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("sandpit.store");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
