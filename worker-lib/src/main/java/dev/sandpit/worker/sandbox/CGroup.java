package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One run slot's cgroup: the limits (memory without swap, processes, a CPU quota) and accounting
 * (CPU time, memory peak, OOM kills, refused forks) of a whole process tree, and the way to kill
 * all of it. Created by root; {@link CGroups} chooses the implementation the host supports,
 * {@link CGroupV1} or {@link CGroupV2}, with the same behaviour.
 */
public interface CGroup extends AutoCloseable {
  /** The slot's name under the Sandpit subtree, e.g. {@code sandpit/slot-61000}. */
  String name();

  /** "v1" or "v2". */
  String version();

  /** Directories whose cgroup.procs a process writes itself into to join the slot (one per v1 controller; one on v2). */
  List<Path> dirs();

  /** Make the cgroup (or take over the one a dead worker left) with these limits. */
  void create(int pidsMax, int cpuPercent) throws IOException;

  /** Memory limit of the slot, swap included (no swap beyond it). */
  void setMemoryLimit(long bytes) throws IOException;

  /** Start measuring the memory peak afresh (for the run that starts now). */
  void resetPeak() throws IOException;

  /** The most memory the slot used since {@link #resetPeak} (or since it was made). */
  long peakBytes();

  /**
   * The most CPU time the slot can use per unit of wall time: its quota in cores (or the machine's
   * cores without one). A CPU limit cannot be reached sooner than {@code remaining / cpuCores()} of
   * wall time, so it needs no checking before then.
   */
  double cpuCores();

  /** CPU time the slot's processes used, in nanoseconds (monotonic for one cgroup). */
  long cpuNanos();

  /** How many times the kernel's OOM killer killed a process of the slot. */
  long oomKills();

  /** How many forks the pids limit refused. */
  long pidsRefused();

  /** Thread ids of every task of the slot (all threads of all processes). */
  long[] tasks();

  /** Process ids of the slot. */
  long[] procs();

  /** Kill every process of the slot and wait until none is left (or give up, logged). */
  void killAll();

  /** SIGKILL to every process of the slot as listed now, without waiting; how many there were. */
  int signalAll();

  boolean isEmpty();

  /**
   * A new cgroup in place of this one (a slot in quarantine): everything in it killed, removed
   * (the kernel refuses while a task is left) and made again with the same limits, so nothing a run
   * changed in it survives.
   */
  void rebuild() throws IOException;

  /**
   * After a run, with the slot empty: anything the next run needs that a reset of the counters
   * cannot give. v2 on a kernel whose memory.peak cannot be reset (before 6.12) makes the cgroup
   * again, so that the next run's peak is its own.
   */
  default void renew() throws IOException {}

  /** Close the descriptors kept open on the cgroup's files. */
  @Override
  void close();

  /** How long {@link #rmdir} waits for the kernel to let go of a cgroup whose last task just died. */
  long RMDIR_BUSY_WAIT_MS = 2000;
  /** {@link #rmdir}'s first pause; it doubles up to {@link #RMDIR_MAX_WAIT_US}. */
  long RMDIR_FIRST_WAIT_US = 100;
  long RMDIR_MAX_WAIT_US = 50_000;

  /**
   * {@link #killAll}: after the first SIGKILL it looks again after {@code KILL_FIRST_WAIT_US},
   * doubling up to {@code KILL_LAST_WAIT_US} (6.3 ms in all), then kills in up to
   * {@code KILL_ROUNDS} rounds, pausing 2^round ms (at most {@code KILL_ROUND_MAX_PAUSE_MS}) between them.
   */
  long KILL_FIRST_WAIT_US = 100;
  long KILL_LAST_WAIT_US = 3200;
  int KILL_ROUNDS = 100;
  long KILL_ROUND_MAX_PAUSE_MS = 50;
  int KILL_ROUND_MAX_SHIFT = 6;
  /** CPU limits are in percent of one core. */
  int PERCENT_PER_CORE = 100;

  /**
   * Remove a cgroup's directory. The kernel answers EBUSY for a short while after its last task has
   * left cgroup.procs (an exiting task is still attached until it is fully released; seen under load
   * on v1's memory controller), so a busy directory is tried again, with back-off, up to {@link
   * #RMDIR_BUSY_WAIT_MS}; any other failure, or still busy after that, is thrown.
   */
  static void rmdir(Path dir) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RMDIR_BUSY_WAIT_MS);
    for (long waitUs = RMDIR_FIRST_WAIT_US; ; waitUs = Math.min(waitUs * 2, RMDIR_MAX_WAIT_US)) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (FileSystemException e) {
        boolean busy = String.valueOf(e.getReason()).contains("busy");
        if (!busy || System.nanoTime() > deadline) throw e;
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(waitUs)); // the kernel releasing the task, not test synchronisation
    }
  }

  /** The count on the line {@code key N} of a flat-keyed cgroup file (pids.events, memory.events), 0 if none. */
  static long eventCount(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key + " ")) return Long.parseLong(line.substring(key.length() + 1).trim());
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }
}
