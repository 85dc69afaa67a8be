package dev.sandpit.e2e;

import dev.sandpit.build.jobs.BuildVerticle;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.Settings;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.executor.jobs.ExecutorVerticle;
import dev.sandpit.worker.RunSlots;
import dev.sandpit.worker.Toolchains;
import dev.sandpit.worker.sandbox.SandboxConfig;
import dev.sandpit.gateway.GatewayConfig;
import dev.sandpit.gateway.GatewayVerticle;
import dev.sandpit.protocol.WorkerInfo;
import dev.sandpit.testing.RedisServer;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole stack for a test: a private redis-server, a gateway, executors and a build worker,
 * each on its own Vert.x instance as they would be on separate servers (or, for crash tests, an
 * executor in its own JVM).
 */
public final class Stack implements AutoCloseable {
  public final RedisServer redis;
  public final Map<String, String> env = new HashMap<>();
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<RunSlots> slotSets = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path root;
  private final int uidBase;
  private int uidNext;
  public GatewayVerticle gateway;
  public final List<ExecutorVerticle> executors = new ArrayList<>();
  private static List<WorkerInfo.Toolchain> execTools;
  private static List<WorkerInfo.Toolchain> buildTools;

  /** @param uidBase first of 64 sandbox uids this stack may use (unique per test class) */
  public Stack(int uidBase) throws Exception {
    this.redis = RedisServer.start();
    this.uidBase = uidBase;
    this.root = Files.createTempDirectory("sandpit-stack-");
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    env.put(RedisConfig.URL, redis.url());
    env.put(SandboxConfig.ROOT, root.toString());
    env.put("SANDPIT_DATA_DIR", root.resolve("data").toString());
    env.put(SandboxConfig.UID_BASE, Integer.toString(uidBase));
    env.put(SandboxConfig.UID_COUNT, "64");
    env.put(WorkerConfig.HEARTBEAT_INTERVAL_MS, "250");
    env.put(WorkerConfig.HEARTBEAT_TTL_MS, "1000");
    env.put(GatewayConfig.REAPER_INTERVAL_MS, "250");
    env.put(GatewayConfig.PORT, "0");
    env.put(GatewayConfig.HOST, "127.0.0.1");
  }

  private Settings settings() {
    return new Settings(Map.copyOf(env));
  }

  public Stack gateway() throws Exception {
    Vertx v = Vertx.vertx();
    vertxes.add(v);
    gateway = new GatewayVerticle(GatewayConfig.from(settings()));
    v.deployVerticle(gateway).await(20, TimeUnit.SECONDS);
    return this;
  }

  public int port() {
    return gateway.port();
  }

  public ExecutorVerticle executor(int slots) throws Exception {
    // a host without usable cgroups (or a run without root) skips, saying why, instead of failing
    String noSandbox;
    try {
      dev.sandpit.worker.sandbox.CGroups.version(Path.of("/sys/fs/cgroup"));
      noSandbox = "root".equals(System.getProperty("user.name")) ? null : "the sandbox needs root";
    } catch (java.io.IOException e) {
      noSandbox = e.getMessage();
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(noSandbox == null, noSandbox);
    Settings s = settings();
    WorkerConfig w = WorkerConfig.from(s, "executor", "SANDPIT_EXECUTOR_SLOTS", slots);
    RunSlots rs = new RunSlots(SandboxConfig.from(s), slots);
    slotSets.add(rs);
    if (execTools == null) execTools = Toolchains.probe(false);
    Vertx v = Vertx.vertx();
    vertxes.add(v);
    ExecutorVerticle e = new ExecutorVerticle(w, RedisConfig.from(s), LimitsConfig.from(s), rs, execTools);
    v.deployVerticle(e).await(30, TimeUnit.SECONDS);
    executors.add(e);
    awaitInFleet(w.workerId());
    return e;
  }

  public BuildVerticle build(int slots) throws Exception {
    // a host without usable cgroups (or a run without root) skips, saying why, instead of failing
    String noSandbox;
    try {
      dev.sandpit.worker.sandbox.CGroups.version(Path.of("/sys/fs/cgroup"));
      noSandbox = "root".equals(System.getProperty("user.name")) ? null : "the sandbox needs root";
    } catch (java.io.IOException e) {
      noSandbox = e.getMessage();
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(noSandbox == null, noSandbox);
    Settings s = settings();
    WorkerConfig w = WorkerConfig.from(s, "build", "SANDPIT_BUILD_SLOTS", slots);
    RunSlots rs = new RunSlots(SandboxConfig.from(s), slots);
    slotSets.add(rs);
    if (buildTools == null) buildTools = Toolchains.probe(true);
    Vertx v = Vertx.vertx();
    vertxes.add(v);
    BuildVerticle b = new BuildVerticle(w, RedisConfig.from(s), LimitsConfig.from(s), rs, buildTools, 3600);
    v.deployVerticle(b).await(30, TimeUnit.SECONDS);
    awaitInFleet(w.workerId());
    return b;
  }

  /** An executor in its own JVM (so a test can kill -9 it); returns once it announced itself. */
  public Process executorProcess(int slots, String workerId) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.sandpit.executor.ExecutorMain");
    pb.environment().putAll(env);
    pb.environment().put("SANDPIT_EXECUTOR_SLOTS", Integer.toString(slots));
    pb.environment().put(WorkerConfig.WORKER_ID, workerId);
    pb.redirectErrorStream(true).redirectOutput(root.resolve(workerId + ".log").toFile());
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** Wait until the gateway's view of the fleet shows the worker (it refreshes every second). */
  public void awaitInFleet(String workerId) throws InterruptedException {
    if (gateway == null) return;
    dev.sandpit.testing.Await.until("worker " + workerId + " in the gateway's fleet", 10_000,
        () -> gateway.fleet().workers().stream().anyMatch(x -> x.id().equals(workerId)));
  }

  /** Whether the gateway's fleet view shows the worker as draining. */
  public boolean gatewayFleetDraining(String workerId) {
    return gateway.fleet().workers().stream().anyMatch(w -> w.id().equals(workerId) && w.draining());
  }

  public Path logOf(String workerId) {
    return root.resolve(workerId + ".log");
  }

  @Override
  public void close() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (Vertx v : vertxes) {
      try {
        v.close().await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort
      }
    }
    for (RunSlots rs : slotSets) rs.close();
    redis.close();
  }
}
