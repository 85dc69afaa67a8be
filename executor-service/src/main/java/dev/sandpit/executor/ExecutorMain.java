package dev.sandpit.executor;

import dev.sandpit.config.Launcher;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.Settings;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.executor.jobs.ExecutorVerticle;
import dev.sandpit.worker.RunSlots;
import dev.sandpit.worker.Toolchains;
import dev.sandpit.worker.sandbox.SandboxConfig;
import io.vertx.core.Vertx;

/** Starts one executor worker process; SIGTERM drains it (running jobs finish, no new ones). */
public final class ExecutorMain {
  public static final String SLOTS = "SANDPIT_EXECUTOR_SLOTS";
  /** Runs at once when {@link #SLOTS} is not set. */
  static final int DEFAULT_SLOTS = 4;

  private ExecutorMain() {}

  public static void main(String[] args) throws Exception {
    Settings s = Settings.fromEnv();
    WorkerConfig worker = Launcher.config(() -> WorkerConfig.from(s, "executor", SLOTS, DEFAULT_SLOTS));
    RedisConfig redis = Launcher.config(() -> RedisConfig.from(s));
    LimitsConfig limits = Launcher.config(() -> LimitsConfig.from(s));
    SandboxConfig sandbox = Launcher.config(() -> SandboxConfig.from(s));
    RunSlots slots = new RunSlots(sandbox, worker.slots());
    ExecutorVerticle v = new ExecutorVerticle(worker, redis, limits, slots, Toolchains.probe(false));
    Launcher.run("executor " + worker.workerId(), Vertx.vertx(), v, v::drain, worker.drainTimeoutMs(), slots::close);
  }
}
