package dev.sandpit.gateway;

import dev.sandpit.config.Settings;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a gateway process. */
public final class GatewayMain {
  private static final Logger log = LoggerFactory.getLogger(GatewayMain.class);

  private GatewayMain() {}

  public static void main(String[] args) {
    GatewayConfig config;
    try {
      config = GatewayConfig.from(Settings.fromEnv());
    } catch (Settings.ConfigException e) {
      log.error("{}", e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new GatewayVerticle(config)).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("gateway failed to start: {}", causes(e));
      vertx.close();
      System.exit(1);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("shutdown: {}", e.toString());
      }
    }, "shutdown"));
  }

  /** The message of every cause, outermost first (no stack trace: a start-up failure is read by an operator). */
  static String causes(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (sb.length() > 0) sb.append(" <- ");
      sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) break;
    }
    return sb.toString();
  }
}
