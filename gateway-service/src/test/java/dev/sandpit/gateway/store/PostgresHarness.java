package dev.sandpit.gateway.store;

import dev.sandpit.config.Settings;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server for the store tests: {@code DATABASE_URL} if set, else the one at
 * {@code 127.0.0.1:5432/test} (user postgres), else a private one started here from the installed
 * PostgreSQL binaries ({@code initdb} + {@code pg_ctl} in a temp dir, as the {@code postgres} OS
 * user when run as root) and stopped when the JVM exits. If none of that works the tests fail
 * with a message that says what was tried. Each test class gets its own schema, dropped after.
 * {@value #PRIVATE} forces the private server.
 */
final class PostgresHarness {
  record Server(String url, String user, String password, String how) {}

  /** {@code -Dsandpit.test.privatePostgres=true}: skip the servers that may be there, start a private one (to check that path). */
  static final String PRIVATE = "sandpit.test.privatePostgres";

  private static Server server;
  private static String failure;

  private PostgresHarness() {}

  static synchronized Server server() {
    if (server == null) {
      server = find();
      System.out.println("store tests: PostgreSQL from " + server.how());
    }
    return server;
  }

  private static Server find() {
    if (failure != null) throw new IllegalStateException(failure);
    List<String> tried = new ArrayList<>();
    if (Boolean.getBoolean(PRIVATE)) {
      try {
        return startPrivate();
      } catch (Exception e) {
        failure = "-D" + PRIVATE + ": cannot start a private PostgreSQL: " + e.getMessage();
        throw new IllegalStateException(failure, e);
      }
    }
    String env = System.getenv(StoreConfig.DATABASE_URL);
    if (env != null && !env.isBlank()) {
      StoreConfig c = StoreConfig.from(new Settings(Map.of(StoreConfig.DATABASE_URL, env)));
      if (c.jdbcUrl().startsWith("jdbc:postgresql:")) {
        Server s = new Server(c.jdbcUrl(), c.user(), c.password(), "DATABASE_URL");
        String why = answers(s);
        if (why == null) return s;
        tried.add("DATABASE_URL (" + why + ")");
      }
    }
    Server local = new Server("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null, "127.0.0.1:5432/test");
    String why = answers(local);
    if (why == null) return local;
    tried.add("jdbc:postgresql://127.0.0.1:5432/test as postgres (" + why + ")");
    try {
      return startPrivate();
    } catch (Exception e) {
      tried.add("a private server from /usr/lib/postgresql/*/bin (" + e.getMessage() + ")");
    }
    failure = "no PostgreSQL for the store tests; tried: " + String.join("; ", tried)
        + ". Set DATABASE_URL=postgres://user:pass@host:port/db or install PostgreSQL (apt-get install postgresql).";
    throw new IllegalStateException(failure);
  }

  private static String answers(Server s) {
    try (Connection c = connect(s, s.url())) {
      return c.isValid(3) ? null : "not valid";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  static Connection connect(Server s, String url) throws SQLException {
    Properties p = new Properties();
    if (s.user() != null) p.setProperty("user", s.user());
    if (s.password() != null) p.setProperty("password", s.password());
    p.setProperty("connectTimeout", "3");
    return DriverManager.getConnection(url, p);
  }

  /**
   * A new schema; returns the URL that makes it the current one. pg_trgm is put in the database's
   * default schema first, where a DBA would put it (when the server lets us): otherwise the first
   * test schema's migration would create it inside itself, and dropping that schema would take the
   * extension, and the search indexes of every other schema, with it.
   */
  static String createSchema(Server s, String schema) throws SQLException {
    try (Connection c = connect(s, s.url()); Statement st = c.createStatement()) {
      try {
        st.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
      } catch (SQLException e) {
        // no privilege or not installed: each schema's migration goes without (and says so)
      }
      st.execute("CREATE SCHEMA " + schema);
    }
    return s.url() + (s.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  static void dropSchema(Server s, String schema) throws SQLException {
    try (Connection c = connect(s, s.url()); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  // ---- a private server ----

  private static Server startPrivate() throws Exception {
    Path bin = findBin();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("sandpit-pg-");
    Path data = dir.resolve("data");
    int port;
    try (ServerSocket ss = new ServerSocket(0)) {
      port = ss.getLocalPort();
    }
    if (root) run(List.of("chown", "postgres:postgres", dir.toString()), dir, "chown");
    run(asPostgres(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8",
        "--no-sync"), dir, "initdb");
    run(asPostgres(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w", "-t", "60",
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"), dir, "pg_ctl start");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        run(asPostgres(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), dir, "pg_ctl stop");
      } catch (Exception ignored) {
        // the JVM is going away
      }
      deleteTree(dir);
    }));
    return new Server("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", null, "private server in " + dir);
  }

  private static Path findBin() throws IOException {
    Path base = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(base)) throw new IOException("/usr/lib/postgresql does not exist");
    try (Stream<Path> versions = Files.list(base)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing((Path b) -> versionOf(b.getParent())))
          .orElseThrow(() -> new IOException("no initdb/pg_ctl under /usr/lib/postgresql/*/bin"));
    }
  }

  private static int versionOf(Path p) {
    try {
      return Integer.parseInt(p.getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static List<String> asPostgres(boolean root, String... cmd) {
    List<String> out = new ArrayList<>();
    if (root) out.addAll(List.of("runuser", "-u", "postgres", "--"));
    out.addAll(List.of(cmd));
    return out;
  }

  private static void run(List<String> cmd, Path dir, String what) throws IOException, InterruptedException {
    File log = dir.resolve(what.replace(' ', '-') + ".out").toFile();
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(what + " did not finish");
    }
    if (p.exitValue() != 0) {
      String out = Files.readString(log.toPath());
      throw new IOException(what + " failed (" + p.exitValue() + "): " + out.strip().lines().reduce((a, b) -> b).orElse(""));
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir
    }
  }
}
