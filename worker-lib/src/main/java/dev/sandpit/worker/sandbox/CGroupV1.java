package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run slot's cgroup on a cgroup v1 host, in the memory, pids, cpu, cpuacct and freezer
 * hierarchies. Limits and accounting hold for the whole process tree, whatever it forks. Created by root.
 */
final class CGroupV1 implements CGroup {
  private static final Logger log = LoggerFactory.getLogger(CGroupV1.class);
  private static final long CFS_PERIOD_US = 100_000;
  private static final String OOM_KILL = "oom_kill ";
  static final String[] CONTROLLERS = {"memory", "pids", "cpu", "cpuacct", "freezer"};

  private final Path root;
  private final String name;
  // read every few milliseconds by each run's monitor (see KernFile)
  private final KernFile cpuUsage;
  private final KernFile tasks;
  private final KernFile procs;
  private Boolean memsw;
  private volatile double cpuCores = Runtime.getRuntime().availableProcessors();
  private long memoryLimit = -1;

  CGroupV1(Path root, String name) {
    this.root = root;
    this.name = name;
    this.cpuUsage = new KernFile(dir("cpuacct").resolve("cpuacct.usage"));
    this.tasks = new KernFile(dir("pids").resolve("tasks"), true);
    this.procs = new KernFile(dir("pids").resolve("cgroup.procs"), true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Path> dirs() {
    List<Path> out = new ArrayList<>();
    for (String c : CONTROLLERS) out.add(dir(c));
    return out;
  }

  private Path dir(String controller) {
    return root.resolve(controller).resolve(name);
  }

  private int pidsMax;
  private int cpuPercent;

  @Override
  public void create(int pidsMax, int cpuPercent) throws IOException {
    this.pidsMax = pidsMax;
    this.cpuPercent = cpuPercent;
    for (String c : CONTROLLERS) Files.createDirectories(dir(c));
    write("pids", "pids.max", Integer.toString(pidsMax));
    write("cpu", "cpu.cfs_period_us", Long.toString(CFS_PERIOD_US));
    write("cpu", "cpu.cfs_quota_us", Long.toString(CFS_PERIOD_US / PERCENT_PER_CORE * cpuPercent));
    if (cpuPercent > 0) cpuCores = Math.min(cpuCores, cpuPercent / (double) PERCENT_PER_CORE);
    writeQuiet("memory", "memory.swappiness", "0");
  }

  /** Memory limit of the slot (also for swap, where swap accounting exists). */
  @Override
  public synchronized void setMemoryLimit(long bytes) throws IOException {
    if (bytes == memoryLimit) return; // most runs keep the default: no writes
    Path memsw = dir("memory").resolve("memory.memsw.limit_in_bytes");
    if (this.memsw == null) this.memsw = Files.exists(memsw);
    long current = readLong("memory", "memory.limit_in_bytes");
    memoryLimit = -1; // unknown until both are written
    if (bytes > current) {
      if (this.memsw) Files.writeString(memsw, Long.toString(bytes));
      write("memory", "memory.limit_in_bytes", Long.toString(bytes));
    } else {
      write("memory", "memory.limit_in_bytes", Long.toString(bytes));
      if (this.memsw) Files.writeString(memsw, Long.toString(bytes));
    }
    memoryLimit = bytes;
  }

  @Override
  public void resetPeak() throws IOException {
    write("memory", "memory.max_usage_in_bytes", "0");
  }

  @Override
  public long peakBytes() {
    return readLong("memory", "memory.max_usage_in_bytes");
  }

  /**
   * The most CPU time the slot can use per unit of wall time: its CFS quota in cores (or the
   * machine's cores without one). A CPU limit cannot be reached sooner than
   * {@code remaining / cpuCores()} of wall time, so it needs no checking before then.
   */
  @Override
  public double cpuCores() {
    return cpuCores;
  }

  @Override
  public long cpuNanos() {
    return cpuUsage.readLong();
  }

  @Override
  public long oomKills() {
    try {
      for (String line : Files.readAllLines(dir("memory").resolve("memory.oom_control"))) {
        if (line.startsWith(OOM_KILL)) return Long.parseLong(line.substring(OOM_KILL.length()).trim());
      }
    } catch (IOException | NumberFormatException e) {
      log.debug("cgroup {}: no oom_kill counter: {}", name, e.toString());
    }
    return 0;
  }

  /** Thread ids of every task of the slot (all threads of all processes). */
  @Override
  public long[] tasks() {
    return tasks.readIds();
  }

  /** Process ids of the slot. */
  @Override
  public long[] procs() {
    return procs.readIds();
  }

  /**
   * Kill every process of the slot. First a plain SIGKILL to what is there, which is all it takes
   * when the program ended normally (the leftover is the sandbox's pid-1 supervisor, already on its
   * way out); if processes remain a few milliseconds later (something forking), freeze the group
   * (no fork races), SIGKILL all, thaw, until it is empty.
   */
  @Override
  public void killAll() {
    if (signalAll() == 0) return;
    for (long waitUs = KILL_FIRST_WAIT_US; waitUs <= KILL_LAST_WAIT_US; waitUs *= 2) { // 6.3 ms in all; kernel reaping, not test synchronisation
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(waitUs));
      if (procs().length == 0) return;
    }
    for (int round = 0; round < KILL_ROUNDS; round++) {
      long[] pids = procs();
      if (pids.length == 0) return;
      writeQuiet("freezer", "freezer.state", "FROZEN");
      for (long pid : procs()) { // every process joins all controllers at once: the same set
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      writeQuiet("freezer", "freezer.state", "THAWED");
      if (round > 0) {
        try {
          Thread.sleep(Math.min(KILL_ROUND_MAX_PAUSE_MS, 1L << Math.min(round, KILL_ROUND_MAX_SHIFT))); // kernel reaping, not test synchronisation
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    log.error("cgroup {}: processes survive SIGKILL", name);
  }

  /**
   * A new cgroup in place of this one (a slot in quarantine): everything in it killed, every
   * controller's directory removed (the kernel refuses while a task is left) and made again with
   * the same limits, so nothing a run changed in it (a limit, the freezer's state) survives.
   */
  @Override
  public void rebuild() throws IOException {
    killAll();
    if (!isEmpty()) throw new IOException("cgroup " + name + " still has tasks");
    for (String c : CONTROLLERS) {
      Path d = dir(c);
      if (Files.isDirectory(d)) CGroup.rmdir(d); // a cgroup's control files go with it
    }
    cpuUsage.close(); // its descriptor is the old cgroup's; the next read opens the new one
    memoryLimit = -1;
    cpuCores = Runtime.getRuntime().availableProcessors();
    create(pidsMax, cpuPercent);
  }

  /** SIGKILL to every process of the slot as listed now, without waiting; how many there were. */
  @Override
  public int signalAll() {
    long[] pids = procs();
    for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    return pids.length;
  }

  @Override
  public long pidsRefused() {
    return CGroup.eventCount(dir("pids").resolve("pids.events"), "max");
  }

  @Override
  public String version() {
    return "v1";
  }

  @Override
  public void close() {
    cpuUsage.close();
  }

  @Override
  public boolean isEmpty() {
    return procs().length == 0;
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
