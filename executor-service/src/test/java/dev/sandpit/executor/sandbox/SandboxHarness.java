package dev.sandpit.executor.sandbox;

import dev.sandpit.executor.process.RunSpec;
import dev.sandpit.executor.process.SandboxRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Real sandboxes on a private uid range and root dir for one test class. */
public final class SandboxHarness implements AutoCloseable {
  public final SandboxConfig config;
  public final Sandbox sandbox;
  public final SlotPool pool;

  public SandboxHarness(String backend, int slots, int uidBase) throws Exception {
    Path root = Files.createTempDirectory("sandpit-test-");
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    config = new SandboxConfig(backend, root, uidBase, 64, 16, 64, 100, Path.of("/sys/fs/cgroup"), false);
    sandbox = Sandbox.create(config);
    pool = SlotPool.claim(config, slots);
  }

  public static RunSpec spec(List<String> argv, String stdin, long wallMs, boolean interactive) {
    return new RunSpec(argv, Map.of(), stdin, wallMs, 0, 256L << 20, 1 << 20, interactive);
  }

  /** Run {@code argv} with {@code files} in a fresh slot; the slot is cleaned afterwards. */
  public Running start(Map<String, String> files, RunSpec spec) throws Exception {
    Slot slot = pool.take(10_000);
    if (slot == null) throw new AssertionError("no free slot");
    for (var f : files.entrySet()) {
      slot.workspace().write(f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8), false);
    }
    SandboxRun run = SandboxRun.spawn(sandbox, slot);
    RunRecorder rec = new RunRecorder();
    run.begin("test", spec, rec);
    rec.result.whenComplete((r, e) -> {
      try {
        slot.cgroup().killAll();
        slot.workspace().clean();
      } catch (Exception ex) {
        throw new RuntimeException(ex);
      } finally {
        pool.release(slot);
      }
    });
    return new Running(run, rec, slot);
  }

  public record Running(SandboxRun run, RunRecorder rec, Slot slot) {}

  @Override
  public void close() {
    pool.close();
  }
}
