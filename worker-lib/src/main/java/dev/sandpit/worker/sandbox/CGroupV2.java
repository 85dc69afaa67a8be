package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run slot's cgroup on the unified hierarchy (cgroup v2): {@code memory.max} with
 * {@code memory.swap.max} 0, {@code pids.max}, {@code cpu.max}; CPU time from {@code cpu.stat},
 * the peak from {@code memory.peak}, OOM kills from {@code memory.events}, refused forks from
 * {@code pids.events}; {@code cgroup.kill} (or, before Linux 5.14, {@code cgroup.freeze} and a
 * SIGKILL each) to end it all. The same behaviour as {@link CGroupV1}.
 *
 * <p>memory.peak is reset per open descriptor (Linux 6.12 and later: writing to it starts a new
 * peak for that descriptor, which then reads it). An older kernel cannot reset it, so there the
 * slot's cgroup is made again after each run ({@link #renew}), while it is empty.
 */
final class CGroupV2 implements CGroup {
  private static final Logger log = LoggerFactory.getLogger(CGroupV2.class);
  private static final long PERIOD_US = 100_000;
  /** memory.peak holds one decimal number. */
  private static final int PEAK_BUFFER_BYTES = 32;

  private final Path root;
  private final String name;
  private final Path dir;
  private final KernFile cpuStat;
  private final KernFile threads;
  private final KernFile procs;
  private volatile double cpuCores = Runtime.getRuntime().availableProcessors();
  private long memoryLimit = -1;
  private int pidsMax;
  private int cpuPercent;
  /** memory.peak, open for this slot's fd-local peak; null until a reset worked; false once one failed. */
  private FileChannel peak;
  private Boolean peakResets;

  CGroupV2(Path root, String name) {
    this.root = root;
    this.name = name;
    this.dir = root.resolve(name);
    this.cpuStat = new KernFile(dir.resolve("cpu.stat"));
    this.threads = new KernFile(dir.resolve("cgroup.threads"), true);
    this.procs = new KernFile(dir.resolve("cgroup.procs"), true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return "v2";
  }

  @Override
  public List<Path> dirs() {
    return List.of(dir);
  }

  @Override
  public void create(int pidsMax, int cpuPercent) throws IOException {
    this.pidsMax = pidsMax;
    this.cpuPercent = cpuPercent;
    // every level between the root and the slot hands the controllers down
    CGroups.delegate(root);
    Path at = root;
    Path rel = root.relativize(dir);
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      at = at.resolve(rel.getName(i));
      Files.createDirectories(at);
      CGroups.delegate(at);
    }
    Files.createDirectories(dir);
    write("pids.max", Integer.toString(pidsMax));
    write("cpu.max", cpuPercent > 0 ? (PERIOD_US * cpuPercent / PERCENT_PER_CORE) + " " + PERIOD_US : "max " + PERIOD_US);
    if (cpuPercent > 0) cpuCores = Math.min(Runtime.getRuntime().availableProcessors(), cpuPercent / (double) PERCENT_PER_CORE);
    if (Files.exists(dir.resolve("memory.swap.max"))) write("memory.swap.max", "0");
    memoryLimit = -1;
  }

  @Override
  public synchronized void setMemoryLimit(long bytes) throws IOException {
    if (bytes == memoryLimit) return;
    memoryLimit = -1;
    write("memory.max", Long.toString(bytes));
    memoryLimit = bytes;
  }

  @Override
  public synchronized void resetPeak() throws IOException {
    if (Boolean.FALSE.equals(peakResets)) return; // renew() gave this run a fresh cgroup
    try {
      if (peak == null) peak = FileChannel.open(dir.resolve("memory.peak"), StandardOpenOption.READ, StandardOpenOption.WRITE);
      peak.write(ByteBuffer.wrap("reset\n".getBytes(StandardCharsets.US_ASCII)), 0);
      peakResets = true;
    } catch (IOException e) {
      closePeak();
      if (peakResets == null) log.info("cgroup v2: memory.peak cannot be reset here ({}); slots are made again after each run", e.toString());
      peakResets = false;
    }
  }

  @Override
  public synchronized long peakBytes() {
    try {
      if (peak != null) {
        ByteBuffer b = ByteBuffer.allocate(PEAK_BUFFER_BYTES);
        peak.read(b, 0);
        return Long.parseLong(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim());
      }
      return Long.parseLong(Files.readString(dir.resolve("memory.peak")).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public double cpuCores() {
    return cpuCores;
  }

  @Override
  public long cpuNanos() {
    long usec = cpuStat.readLong(); // the first line: usage_usec N
    return usec < 0 ? -1 : TimeUnit.MICROSECONDS.toNanos(usec);
  }

  @Override
  public long oomKills() {
    return CGroup.eventCount(dir.resolve("memory.events"), "oom_kill");
  }

  @Override
  public long pidsRefused() {
    return CGroup.eventCount(dir.resolve("pids.events"), "max");
  }

  @Override
  public long[] tasks() {
    return threads.readIds();
  }

  @Override
  public long[] procs() {
    return procs.readIds();
  }

  @Override
  public void killAll() {
    if (signalAll() == 0) return;
    for (long waitUs = KILL_FIRST_WAIT_US; waitUs <= KILL_LAST_WAIT_US; waitUs *= 2) { // 6.3 ms in all; kernel reaping, not test synchronisation
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(waitUs));
      if (procs().length == 0) return;
    }
    Path kill = dir.resolve("cgroup.kill");
    for (int round = 0; round < KILL_ROUNDS; round++) {
      if (procs().length == 0) return;
      if (Files.exists(kill)) {
        writeQuiet("cgroup.kill", "1"); // the kernel kills the whole tree, forks racing or not
      } else {
        writeQuiet("cgroup.freeze", "1");
        for (long pid : procs()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        writeQuiet("cgroup.freeze", "0");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(KILL_ROUND_MAX_PAUSE_MS, 1L << Math.min(round, KILL_ROUND_MAX_SHIFT)))); // kernel reaping
    }
    log.error("cgroup {}: processes survive SIGKILL", name);
  }

  @Override
  public int signalAll() {
    long[] pids = procs();
    for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    return pids.length;
  }

  @Override
  public boolean isEmpty() {
    return procs().length == 0;
  }

  @Override
  public synchronized void rebuild() throws IOException {
    killAll();
    if (!isEmpty()) throw new IOException("cgroup " + name + " still has tasks");
    close();
    if (Files.isDirectory(dir)) CGroup.rmdir(dir); // the control files go with it
    create(pidsMax, cpuPercent);
  }

  @Override
  public synchronized void renew() throws IOException {
    if (Boolean.FALSE.equals(peakResets) && isEmpty()) {
      close();
      CGroup.rmdir(dir);
      create(pidsMax, cpuPercent);
    }
  }

  @Override
  public synchronized void close() {
    cpuStat.close();
    threads.close();
    procs.close();
    closePeak();
  }

  private void closePeak() {
    if (peak == null) return;
    try {
      peak.close();
    } catch (IOException ignored) {
      // nothing to release
    }
    peak = null;
  }

  private void write(String file, String value) throws IOException {
    Files.writeString(dir.resolve(file), value);
  }

  private void writeQuiet(String file, String value) {
    try {
      write(file, value);
    } catch (IOException e) {
      log.debug("cgroup {}: cannot write {}: {}", name, file, e.toString());
    }
  }
}
