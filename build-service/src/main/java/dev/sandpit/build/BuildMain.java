package dev.sandpit.build;

import dev.sandpit.build.jobs.BuildVerticle;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.Settings;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.executor.jobs.RunSlots;
import dev.sandpit.executor.jobs.Toolchains;
import dev.sandpit.executor.sandbox.SandboxConfig;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts one build worker process; SIGTERM drains it. */
public final class BuildMain {
  private static final Logger log = LoggerFactory.getLogger(BuildMain.class);
  public static final String SLOTS = "SANDPIT_BUILD_SLOTS";
  public static final String CACHE_TTL_S = "SANDPIT_BUILD_CACHE_TTL_S";

  private BuildMain() {}

  public static void main(String[] args) throws Exception {
    Settings s = Settings.fromEnv();
    WorkerConfig worker;
    RedisConfig redis;
    LimitsConfig limits;
    SandboxConfig sandbox;
    long cacheTtl;
    try {
      worker = WorkerConfig.from(s, "build", SLOTS, 2);
      redis = RedisConfig.from(s);
      limits = LimitsConfig.from(s);
      sandbox = SandboxConfig.from(s);
      cacheTtl = s.longValue(CACHE_TTL_S, 3600, 10, 30L * 86400);
    } catch (Settings.ConfigException e) {
      log.error("{}", e.getMessage());
      System.exit(2);
      return;
    }
    RunSlots slots = new RunSlots(sandbox, worker.slots());
    var toolchains = Toolchains.probe(true);
    Vertx vertx = Vertx.vertx();
    BuildVerticle v = new BuildVerticle(worker, redis, limits, slots, toolchains, cacheTtl);
    try {
      vertx.deployVerticle(v).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("build worker failed to start: {}", causes(e));
      slots.close();
      vertx.close();
      System.exit(1);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        v.drain().await(worker.drainTimeoutMs() + 5000, TimeUnit.MILLISECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("shutdown: {}", e.toString());
      } finally {
        slots.close();
      }
    }, "drain"));
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
