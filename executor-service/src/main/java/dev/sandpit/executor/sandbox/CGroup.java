package dev.sandpit.executor.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run slot's cgroup (v1) in the memory, pids, cpu, cpuacct and freezer hierarchies. Limits and
 * accounting hold for the whole process tree, whatever it forks. Created by root.
 */
public final class CGroup {
  private static final Logger log = LoggerFactory.getLogger(CGroup.class);
  static final String[] CONTROLLERS = {"memory", "pids", "cpu", "cpuacct", "freezer"};

  private final Path root;
  private final String name;

  public CGroup(Path root, String name) {
    this.root = root;
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** Directories whose cgroup.procs a process writes itself into to join every controller. */
  public List<Path> dirs() {
    List<Path> out = new ArrayList<>();
    for (String c : CONTROLLERS) out.add(dir(c));
    return out;
  }

  private Path dir(String controller) {
    return root.resolve(controller).resolve(name);
  }

  public void create(int pidsMax, int cpuPercent) throws IOException {
    for (String c : CONTROLLERS) Files.createDirectories(dir(c));
    write("pids", "pids.max", Integer.toString(pidsMax));
    write("cpu", "cpu.cfs_period_us", "100000");
    write("cpu", "cpu.cfs_quota_us", Long.toString(1000L * cpuPercent));
    writeQuiet("memory", "memory.swappiness", "0");
  }

  /** Memory limit of the slot (also for swap, where swap accounting exists). */
  public void setMemoryLimit(long bytes) throws IOException {
    Path memsw = dir("memory").resolve("memory.memsw.limit_in_bytes");
    long current = readLong("memory", "memory.limit_in_bytes");
    if (bytes > current) {
      if (Files.exists(memsw)) Files.writeString(memsw, Long.toString(bytes));
      write("memory", "memory.limit_in_bytes", Long.toString(bytes));
    } else {
      write("memory", "memory.limit_in_bytes", Long.toString(bytes));
      if (Files.exists(memsw)) Files.writeString(memsw, Long.toString(bytes));
    }
  }

  public void resetPeak() throws IOException {
    write("memory", "memory.max_usage_in_bytes", "0");
  }

  public long peakBytes() {
    return readLong("memory", "memory.max_usage_in_bytes");
  }

  public long cpuNanos() {
    return readLong("cpuacct", "cpuacct.usage");
  }

  public long oomKills() {
    try {
      for (String line : Files.readAllLines(dir("memory").resolve("memory.oom_control"))) {
        if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring(9).trim());
      }
    } catch (IOException | NumberFormatException e) {
      log.debug("cgroup {}: no oom_kill counter: {}", name, e.toString());
    }
    return 0;
  }

  /** Thread ids of every task of the slot (all threads of all processes). */
  public long[] tasks() {
    return readIds(dir("pids").resolve("tasks"));
  }

  /** Process ids of the slot. */
  public long[] procs() {
    return readIds(dir("pids").resolve("cgroup.procs"));
  }

  /** Kill every process of the slot: freeze (no fork races), SIGKILL all, thaw, until empty. */
  public void killAll() {
    for (int round = 0; round < 100; round++) {
      long[] pids = procs();
      if (pids.length == 0) return;
      writeQuiet("freezer", "freezer.state", "FROZEN");
      for (long pid : readIds(dir("freezer").resolve("cgroup.procs"))) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      writeQuiet("freezer", "freezer.state", "THAWED");
      if (round > 0) {
        try {
          Thread.sleep(Math.min(50, 1L << round)); // kernel reaping, not test synchronisation
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    log.error("cgroup {}: processes survive SIGKILL", name);
  }

  public boolean isEmpty() {
    return procs().length == 0;
  }

  private static long[] readIds(Path p) {
    try {
      String s = Files.readString(p, StandardCharsets.US_ASCII);
      if (s.isEmpty()) return new long[0];
      String[] parts = s.trim().split("\n");
      long[] out = new long[parts.length];
      int n = 0;
      for (String part : parts) {
        if (!part.isEmpty()) out[n++] = Long.parseLong(part.trim());
      }
      return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    } catch (NoSuchFileException e) {
      return new long[0];
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private long readLong(String c, String file) {
    try {
      return Long.parseLong(Files.readString(dir(c).resolve(file)).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private void write(String c, String file, String value) throws IOException {
    Files.writeString(dir(c).resolve(file), value);
  }

  private void writeQuiet(String c, String file, String value) {
    try {
      write(c, file, value);
    } catch (IOException e) {
      log.debug("cgroup {}: cannot write {}/{}: {}", name, c, file, e.toString());
    }
  }
}
