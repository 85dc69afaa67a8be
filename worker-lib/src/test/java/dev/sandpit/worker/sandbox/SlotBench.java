package dev.sandpit.worker.sandbox;

import dev.sandpit.worker.process.RunResult;
import dev.sandpit.protocol.RunStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What a slot's clean-up costs between two runs (not a test; needs root, like the tests), beside
 * the bare baseline measured in the same run and interleaved with it: a bare spawn of
 * {@code /usr/bin/python3 -c pass} (what a run costs at the least, without any sandbox).
 *
 * <ul>
 *   <li>reset: kill what is left, detach the old workspace tmpfs, mount a new one, check it;
 *   <li>check: the check alone (workspace empty, own mount, owner, mode; cgroup empty; no live
 *       process of the uid: one stat per process in /proc);
 *   <li>reset after a run left a tree past PATH_MAX (24 levels of 250-character names) and 2,000
 *       files: the reset does not walk the tree, so it costs the same.
 * </ul>
 * Run: {@code java -cp <executor-service test classpath> dev.sandpit.worker.sandbox.SlotBench [rounds]}.
 */
public final class SlotBench {
  private SlotBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    List<Long> bare = new ArrayList<>();
    List<Long> reset = new ArrayList<>();
    List<Long> check = new ArrayList<>();
    List<Long> resetDirty = new ArrayList<>();
    try (SandboxHarness h = new SandboxHarness("bwrap", 1, 64900)) {
      Slot slot = h.take();
      String tree = "import os\nfor i in range(24):\n    os.mkdir('d' * 250); os.chdir('d' * 250)\n"
          + "    [open(f'f{j}', 'w').close() for j in range(80)]\n";
      for (int i = 0; i < rounds + 20; i++) { // the first 20 warm the JIT and the page cache, not counted
        boolean counted = i >= 20;
        long b = time(() -> {
          try {
            return new ProcessBuilder("/usr/bin/python3", "-c", "pass").start().waitFor();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        long r = time(() -> slot.reset() == null ? 0 : fail("reset"));
        long c = time(() -> slot.check() == null ? 0 : fail("check"));
        if (counted) {
          bare.add(b);
          reset.add(r);
          check.add(c);
        }
        if (i % 10 == 0) { // a run that leaves a deep, wide tree behind, then its reset
          slot.workspace().write("tree.py", tree.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
          var run = h.startIn(slot, SandboxHarness.spec(List.of("/usr/bin/python3", "tree.py"), null, 20_000, false));
          RunResult res = run.rec().awaitResult(30_000);
          if (res.status() != RunStatus.OK) throw new IllegalStateException("tree run: " + res + " " + run.rec().output());
          long d = time(() -> slot.reset() == null ? 0 : fail("reset after the tree"));
          if (counted) resetDirty.add(d);
        }
      }
      h.recycle(slot);
    }
    double bareMedian = percentile(bare, 50);
    System.out.printf("slot clean-up between runs, %d rounds (interleaved with the bare baseline), microseconds%n", rounds);
    System.out.printf("  %-52s %9s %9s %12s%n", "", "median", "p99", "of bare");
    row("bare spawn: /usr/bin/python3 -c pass (baseline)", bare, bareMedian);
    row("reset: kill, new tmpfs workspace, check", reset, bareMedian);
    row("check alone", check, bareMedian);
    row("reset after a 24-deep tree past PATH_MAX, 1,920 files", resetDirty, bareMedian);
  }

  private static long fail(String what) {
    throw new IllegalStateException(what + " failed");
  }

  private static long time(LongSupplier f) {
    long t0 = System.nanoTime();
    f.getAsLong();
    return (System.nanoTime() - t0) / 1000;
  }

  private static double percentile(List<Long> xs, int p) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
  }

  private static void row(String name, List<Long> xs, double bareMedian) {
    double med = percentile(xs, 50);
    System.out.printf("  %-52s %9.0f %9.0f %11.1f%%%n", name, med, percentile(xs, 99), 100 * med / bareMedian);
  }
}
