package dev.sandpit.worker.sandbox;

import dev.sandpit.worker.process.RunSpec;
import dev.sandpit.worker.process.SandboxRun;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Real sandboxes on a private uid range and root dir for one test class. */
public final class SandboxHarness implements AutoCloseable {
  public final SandboxConfig config;
  public final Sandbox sandbox;
  public final SlotPool pool;

  /** @param backend bwrap, firejail, or bwrap-sh: bwrap started through the shell and setpriv, not the compiled helper */
  public SandboxHarness(String backend, int slots, int uidBase) throws Exception {
    // a host without usable cgroups (or a run without root) skips, saying why, instead of failing
    org.junit.jupiter.api.Assumptions.assumeTrue(cgroupsUsable(), SandboxHarness::cgroupsMissing);
    // -Dsandpit.test.backends=bwrap,...: only these (the cgroup v2 VM, whose emulated CPU is slow, runs bwrap only)
    String only = System.getProperty("sandpit.test.backends");
    org.junit.jupiter.api.Assumptions.assumeTrue(only == null || List.of(only.split(",")).contains(backend),
        () -> "backend " + backend + " not among sandpit.test.backends=" + only);
    Path root = Files.createTempDirectory("sandpit-test-");
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    boolean shell = backend.equals("bwrap-sh");
    config = new SandboxConfig(shell ? "bwrap" : backend, root, uidBase, 64, 16, 64, 100, Path.of("/sys/fs/cgroup"), false, !shell);
    sandbox = Sandbox.create(config);
    if (sandbox instanceof BwrapSandbox b && b.usesHelper() == shell) {
      throw new AssertionError(shell ? "bwrap-sh started through the helper" : "the sandbox helper did not build here (see the log)");
    }
    pool = SlotPool.claim(config, slots);
  }

  /** Why the sandbox cannot run here (not root, or no usable cgroups), or null. */
  public static String cgroupsMissing() {
    if (!"root".equals(System.getProperty("user.name"))) return "needs root";
    try {
      CGroups.version(Path.of("/sys/fs/cgroup"));
      return null;
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  public static boolean cgroupsUsable() {
    return cgroupsMissing() == null;
  }

  public static RunSpec spec(List<String> argv, String stdin, long wallMs, boolean interactive) {
    return new RunSpec(argv, Map.of(), stdin, wallMs, 0, 256L << 20, 1 << 20, interactive);
  }

  /** Where the workspace appears inside this backend's sandbox (the program's cwd). */
  public String workDir() {
    return sandbox.name().equals("firejail") ? FirejailSandbox.HOME : "/work";
  }

  /** Host directory that holds every slot's workspace. */
  public Path workspaceRoot() {
    return config.workRoot().resolve("ws");
  }

  /** Run {@code argv} with {@code files} in a fresh slot; the slot is cleaned afterwards. */
  public Running start(Map<String, String> files, RunSpec spec) throws Exception {
    Slot slot = take();
    for (var f : files.entrySet()) {
      slot.workspace().write(f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8), false);
    }
    Running r = startIn(slot, spec);
    r.rec().result.whenComplete((res, e) -> recycle(slot));
    return r;
  }

  /** A free slot the caller owns until {@link #recycle}. */
  public Slot take() throws InterruptedException {
    Slot slot = pool.take(20_000);
    if (slot == null) throw new AssertionError("no free slot");
    return slot;
  }

  /** Start {@code spec} in {@code slot}; the slot is left as the run leaves it. */
  public Running startIn(Slot slot, RunSpec spec) throws IOException {
    SandboxRun run = SandboxRun.spawn(sandbox, slot);
    RunRecorder rec = new RunRecorder();
    run.begin("test-" + slot.uid(), spec, rec);
    // one line per run in the surefire output file, for reading failures
    rec.result.thenAccept(res -> {
      String out = rec.output();
      System.out.println(sandbox.name() + " " + spec.argv() + " -> " + res + " requests " + rec.prompts()
          + " output " + (out.length() > 400 ? out.substring(0, 400) + "..." : out).replace("\n", "\\n"));
    });
    return new Running(run, rec, slot);
  }

  /** Kill what is left in the slot, give it a fresh workspace, check it, and give it back to the pool. */
  public void recycle(Slot slot) {
    String problem;
    try {
      problem = slot.reset();
    } finally {
      pool.release(slot);
    }
    if (problem != null) throw new AssertionError(slot + " failed its check after the run: " + problem);
  }

  /** A classpath resource of the test module as text (hostile programs and the like). */
  public static String resource(String name) {
    try (InputStream in = SandboxHarness.class.getResourceAsStream("/" + name)) {
      if (in == null) throw new AssertionError("missing test resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public record Running(SandboxRun run, RunRecorder rec, Slot slot) {}

  @Override
  public void close() {
    pool.close();
    try (Stream<Path> s = Files.walk(config.workRoot())) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir is harmless
    }
  }
}
