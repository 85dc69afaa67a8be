package dev.sandpit.config;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How every Sandpit process starts and stops: config errors exit 2, start-up failures exit 1, SIGTERM drains. */
public final class Launcher {
  private static final Logger log = LoggerFactory.getLogger(Launcher.class);
  /** The exit status of a process whose configuration is wrong. */
  static final int EXIT_CONFIG_ERROR = 2;
  static final long DEPLOY_TIMEOUT_S = 60;
  /** How much longer than the drain timeout the shutdown hook waits for the drain to report. */
  static final long DRAIN_GRACE_MS = 5000;
  static final long CLOSE_TIMEOUT_S = 10;

  private Launcher() {}

  /** Read configuration; a bad value is logged naming its key and the process exits with status 2. */
  public static <T> T config(Supplier<T> read) {
    try {
      return read.get();
    } catch (Settings.ConfigException e) {
      log.error("{}", e.getMessage());
      System.exit(EXIT_CONFIG_ERROR);
      throw e; // not reached
    }
  }

  /**
   * Deploy the process's verticle. If it fails, log why, clean up and exit 1. Otherwise install the
   * shutdown hook: {@code drain} (finish running work), close Vert.x, clean up.
   */
  public static void run(String name, Vertx vertx, Deployable verticle, Supplier<Future<?>> drain, long drainTimeoutMs, Runnable cleanup) {
    try {
      vertx.deployVerticle(verticle).await(DEPLOY_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("{} failed to start: {}", name, causes(e));
      cleanup.run();
      vertx.close();
      System.exit(1);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        drain.get().await(drainTimeoutMs + DRAIN_GRACE_MS, TimeUnit.MILLISECONDS);
        vertx.close().await(CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("{} shutdown: {}", name, e.toString());
      } finally {
        cleanup.run();
      }
      log.info("{} stopped", name);
    }, "shutdown"));
  }

  /** The message of every cause, outermost first (no stack trace: a start-up failure is read by an operator). */
  public static String causes(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (sb.length() > 0) sb.append(" <- ");
      sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) break;
    }
    return sb.toString();
  }
}
