package dev.sandpit.build;

import dev.sandpit.build.jobs.BuildOptions;
import dev.sandpit.build.jobs.BuildVerticle;
import dev.sandpit.build.toolchain.ToolVersions;
import dev.sandpit.config.Launcher;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.Settings;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.worker.RunSlots;
import dev.sandpit.worker.Toolchains;
import dev.sandpit.worker.sandbox.SandboxConfig;
import io.vertx.core.Vertx;

/** Starts one build worker process; SIGTERM drains it. */
public final class BuildMain {
  public static final String SLOTS = "SANDPIT_BUILD_SLOTS";
  public static final String CACHE_TTL_S = "SANDPIT_BUILD_CACHE_TTL_S";
  /** Builds at once when {@link #SLOTS} is not set. */
  static final int DEFAULT_SLOTS = 2;
  static final long DEFAULT_CACHE_TTL_S = 3600;
  static final long MIN_CACHE_TTL_S = 10;
  static final long MAX_CACHE_TTL_S = 30L * 86400; // 30 days

  private BuildMain() {}

  public static void main(String[] args) throws Exception {
    Settings s = Settings.fromEnv();
    WorkerConfig worker = Launcher.config(() -> WorkerConfig.from(s, "build", SLOTS, DEFAULT_SLOTS));
    RedisConfig redis = Launcher.config(() -> RedisConfig.from(s));
    LimitsConfig limits = Launcher.config(() -> LimitsConfig.from(s));
    long cacheTtl = Launcher.config(() -> s.longValue(CACHE_TTL_S, DEFAULT_CACHE_TTL_S, MIN_CACHE_TTL_S, MAX_CACHE_TTL_S));
    BuildOptions options = Launcher.config(() -> new BuildOptions(
        s.intValue(BuildOptions.JOBS, BuildOptions.defaultJobs(), 1, BuildOptions.MAX_JOBS),
        s.longValue(BuildOptions.CACHE_MAX_MB, BuildOptions.DEFAULT_CACHE_MAX_MB, 0, BuildOptions.MAX_CACHE_MAX_MB) << 20));
    // a build compiles up to `jobs` translation units at once: its slot's CPU quota allows as many cores
    SandboxConfig sandbox = Launcher.config(() -> {
      SandboxConfig b = SandboxConfig.from(s);
      int cpu = s.intValue(BuildOptions.CPU_PERCENT, BuildOptions.CPU_PERCENT_PER_JOB * options.jobs(), 1, BuildOptions.MAX_CPU_PERCENT);
      return b.withCpuPercent(cpu);
    });
    RunSlots slots = new RunSlots(sandbox, worker.slots());
    BuildVerticle v = new BuildVerticle(worker, redis, limits, slots, Toolchains.probe(true), cacheTtl, options,
        ToolVersions.probe());
    Launcher.run("build worker " + worker.workerId(), Vertx.vertx(), v, v::drain, worker.drainTimeoutMs(), slots::close);
  }
}
