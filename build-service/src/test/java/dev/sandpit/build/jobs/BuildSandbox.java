package dev.sandpit.build.jobs;

import dev.sandpit.worker.RunSlots;
import dev.sandpit.worker.process.RunListener;
import dev.sandpit.worker.process.RunResult;
import dev.sandpit.worker.process.RunSpec;
import dev.sandpit.worker.sandbox.SandboxConfig;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Limits;
import dev.sandpit.protocol.SourceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real build sandboxes for one test class: bwrap slots on a private uid range (64000+, one range of
 * 64 per class) and a private root, as a build worker has them.
 */
public final class BuildSandbox implements AutoCloseable {
  public final RunSlots slots;
  public final SandboxConfig config;
  private final Path root;

  /**
   * @param cpuPercent the slots' CPU quota (100 = one core)
   * @param workspaceMb size cap of the workspace and of /tmp
   */
  public BuildSandbox(int uidBase, int slots, int cpuPercent, long workspaceMb) throws Exception {
    this("bwrap", uidBase, slots, cpuPercent, workspaceMb);
  }

  /** @param backend bwrap or firejail */
  public BuildSandbox(String backend, int uidBase, int slots, int cpuPercent, long workspaceMb) throws Exception {
    // a host without usable cgroups (or a run without root) skips, saying why, instead of failing
    String noSandbox;
    try {
      dev.sandpit.worker.sandbox.CGroups.version(Path.of("/sys/fs/cgroup"));
      noSandbox = "root".equals(System.getProperty("user.name")) ? null : "the sandbox needs root";
    } catch (java.io.IOException e) {
      noSandbox = e.getMessage();
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(noSandbox == null, noSandbox);
    root = Files.createTempDirectory("sandpit-build-test-");
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    config = new SandboxConfig(backend, root, uidBase, 64, workspaceMb, 128, cpuPercent, Path.of("/sys/fs/cgroup"), true, true);
    this.slots = new RunSlots(config, slots);
  }

  public Compiler compiler(long wallMs, long memoryMb, int jobs) {
    return new Compiler(slots, wallMs, memoryMb, jobs);
  }

  /** What a program printed and how it ended. */
  public record Ran(RunResult result, String stdout, String stderr) {}

  /**
   * Run a built program the way an executor runs it: in a slot of its own (a ptrace-capable one
   * with {@code tracing}, as for leak-checking sanitizers), with the language's run environment.
   */
  public Ran run(byte[] program, Map<String, String> env, boolean tracing, String stdin) throws Exception {
    RunSlots.Lease l = slots.take(tracing);
    if (l == null) throw new AssertionError("no free slot");
    try {
      l.slot().workspace().write("main", program, true);
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      CompletableFuture<RunResult> done = new CompletableFuture<>();
      l.run().begin("run", new RunSpec(List.of("./main"), env, stdin, 20_000, 20_000, 512L << 20, 1 << 20, false), new RunListener() {
        @Override
        public synchronized void onOutput(String stream, String data) {
          (stream.equals("stdout") ? out : err).append(data);
        }

        @Override
        public void onInputRequest(String prompt) {}

        @Override
        public void onComplete(RunResult r) {
          done.complete(r);
        }
      });
      RunResult r = done.get(40, TimeUnit.SECONDS);
      synchronized (this) {
        return new Ran(r, out.toString(), err.toString());
      }
    } finally {
      slots.release(l.slot());
    }
  }

  private static int next;

  public static synchronized JobSpec job(String language, String compiler, List<String> flags, Map<String, String> files) {
    List<SourceFile> fs = new ArrayList<>();
    files.forEach((k, v) -> fs.add(new SourceFile(k, v)));
    long now = System.currentTimeMillis();
    return new JobSpec("test-" + (++next), language, fs, null, null, Limits.NONE, flags, now, now + 600_000, null, null, false,
        compiler);
  }

  /** Files in the order given (the first is the main file). */
  public static Map<String, String> files(String... nameThenContent) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < nameThenContent.length; i += 2) m.put(nameThenContent[i], nameThenContent[i + 1]);
    return m;
  }

  @Override
  public void close() {
    slots.close();
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception ignored) {
      // a leftover temp dir is harmless
    }
  }
}
