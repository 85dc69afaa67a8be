package dev.sandpit.worker.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A slot's cgroup read through descriptors kept open ({@link KernFile}): every look must see the
 * cgroup as it is now, not as it was when the file was first read.
 */
class CGroupIT {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  private CGroup cg;
  private String name;

  @BeforeEach
  void create() throws Exception {
    assumeTrue(SandboxHarness.cgroupsUsable(), SandboxHarness.cgroupsMissing());
    name = "sandpit/test-cgroup-" + ProcessHandle.current().pid();
    cg = CGroups.of(ROOT, name);
    cg.create(64, 100);
  }

  @AfterEach
  void remove() throws Exception {
    if (cg == null) return;
    cg.killAll();
    for (Path d : cg.dirs()) Files.deleteIfExists(d);
  }

  private Process joined(String... argv) throws Exception {
    // the same launcher the sandboxes use: join every controller, then exec
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c",
        "for d in $DIRS; do echo $$ > \"$d/cgroup.procs\" || exit 126; done; exec \"$@\"", "launch");
    pb.command().addAll(Arrays.asList(argv));
    pb.environment().put("DIRS", String.join(" ", cg.dirs().stream().map(Path::toString).toList()));
    Process p = pb.start();
    Poll.until("process in the cgroup", () -> Arrays.stream(cg.procs()).anyMatch(x -> x == p.pid()), 5000);
    return p;
  }

  @Test
  void repeatedReadsSeeProcessesJoinAndLeave() throws Exception {
    assertArrayEquals(new long[0], cg.procs(), "empty at first");
    assertArrayEquals(new long[0], cg.tasks());
    Process a = joined("/bin/sleep", "30");
    assertArrayEquals(new long[] {a.pid()}, cg.procs());
    assertTrue(Arrays.stream(cg.tasks()).anyMatch(t -> t == a.pid()), "its thread is listed");
    Process b = joined("/bin/sleep", "30");
    long[] both = cg.procs();
    Arrays.sort(both);
    long[] expected = {Math.min(a.pid(), b.pid()), Math.max(a.pid(), b.pid())};
    assertArrayEquals(expected, both);
    cg.killAll();
    assertArrayEquals(new long[0], cg.procs(), "empty after killAll");
    assertTrue(cg.isEmpty());
    assertEquals(137, a.waitFor());
  }

  @Test
  void cpuCounterMovesWithWorkDoneInTheCgroup() throws Exception {
    long before = cg.cpuNanos();
    assertTrue(before >= 0, "readable: " + before);
    Process p = joined("/usr/bin/python3", "-c", "import time\nt=time.process_time()\nwhile time.process_time()-t<0.05: pass");
    assertEquals(0, p.waitFor());
    long after = cg.cpuNanos();
    assertTrue(after - before >= 50_000_000L, "at least the 50 ms of CPU the program burnt: " + (after - before) + " ns");
  }

  @Test
  void memoryLimitFollowsEachChangeUpAndDown() throws Exception {
    Path limit = cg.version().equals("v1") ? ROOT.resolve("memory").resolve(name).resolve("memory.limit_in_bytes")
        : ROOT.resolve(name).resolve("memory.max");
    cg.setMemoryLimit(64L << 20);
    assertEquals(64L << 20, Long.parseLong(Files.readString(limit).trim()));
    cg.setMemoryLimit(128L << 20);
    assertEquals(128L << 20, Long.parseLong(Files.readString(limit).trim()));
    cg.setMemoryLimit(32L << 20);
    assertEquals(32L << 20, Long.parseLong(Files.readString(limit).trim()));
  }

  @Test
  void theMemoryPeakIsEachRunsOwn() throws Exception {
    cg.setMemoryLimit(256L << 20);
    cg.resetPeak();
    Process big = joined("/usr/bin/python3", "-c", "b = bytearray(96 << 20)\nb[::4096] = b'x' * len(b[::4096])");
    assertEquals(0, big.waitFor());
    long first = cg.peakBytes();
    assertTrue(first >= 96L << 20, "the first run's peak: " + first);
    // between runs, as a slot's reset and the next run's start do it
    cg.renew();
    cg.resetPeak();
    Process small = joined("/usr/bin/python3", "-c", "b = bytearray(8 << 20)\nb[::4096] = b'x' * len(b[::4096])");
    assertEquals(0, small.waitFor());
    long second = cg.peakBytes();
    assertTrue(second > 0 && second < 48L << 20, "the second run's peak is its own: " + second + " after " + first);
  }

  @Test
  void aProcessOverTheMemoryLimitIsOomKilledAndCounted() throws Exception {
    cg.setMemoryLimit(32L << 20);
    long before = cg.oomKills();
    Process p = joined("/usr/bin/python3", "-c", "b = bytearray(128 << 20)\nb[::4096] = b'x' * len(b[::4096])");
    assertEquals(137, p.waitFor());
    assertEquals(before + 1, cg.oomKills());
  }

  @Test
  void forksOverThePidsLimitAreRefusedAndCounted() throws Exception {
    long before = cg.pidsRefused();
    Process p = joined("/bin/sh", "-c", "for i in $(seq 1 80); do sleep 5 & done; wait");
    Poll.until("a refused fork", () -> cg.pidsRefused() > before, 10_000);
    assertTrue(cg.procs().length <= 64, "at most pids.max processes: " + cg.procs().length);
    cg.killAll();
    assertTrue(cg.isEmpty());
    p.waitFor();
  }
}
