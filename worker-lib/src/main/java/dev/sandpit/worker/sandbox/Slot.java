package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One concurrent run slot: an unprivileged uid leased for this process alone (an exclusive file
 * lock; the kernel releases it if the worker dies), a cgroup, and a size-capped workspace. Runs
 * never share a uid, so one run's processes cannot signal, trace or starve another's.
 *
 * <p>Between two runs a slot is {@link #reset} (processes killed, a fresh workspace mounted) and
 * {@link #check}ed; one that fails is {@link #rebuild}t from scratch and checked again, and one
 * that fails that too must never serve again (see RunSlots).
 */
public final class Slot {
  private static final Logger log = LoggerFactory.getLogger(Slot.class);
  private static final Path PROC = Path.of("/proc");

  private final int uid;
  private final CGroup cgroup;
  private final Workspace workspace;
  private final FileChannel leaseChannel;
  private final FileLock lease;

  Slot(int uid, CGroup cgroup, Workspace workspace, FileChannel leaseChannel, FileLock lease) {
    this.uid = uid;
    this.cgroup = cgroup;
    this.workspace = workspace;
    this.leaseChannel = leaseChannel;
    this.lease = lease;
  }

  public int uid() {
    return uid;
  }

  public CGroup cgroup() {
    return cgroup;
  }

  public Workspace workspace() {
    return workspace;
  }

  public Path dir() {
    return workspace.dir();
  }

  /**
   * Ready the slot for its next run: kill what is left, throw the workspace away and mount a new
   * one, then {@link #check}. Null when the slot may serve, else what is wrong with it.
   */
  public String reset() {
    cgroup.killAll();
    try {
      cgroup.renew();
    } catch (IOException | RuntimeException e) {
      return "the cgroup could not be renewed: " + e.getMessage();
    }
    try {
      workspace.reset();
    } catch (IOException | RuntimeException e) {
      return "the workspace could not be renewed: " + e.getMessage();
    }
    return check();
  }

  /**
   * The slot made again from scratch (a slot in quarantine): processes killed, a new cgroup, a new
   * workspace mount, then {@link #check}. Null when it may serve again.
   */
  public String rebuild() {
    try {
      cgroup.rebuild();
    } catch (IOException | RuntimeException e) {
      return "the cgroup could not be rebuilt: " + e.getMessage();
    }
    return reset();
  }

  /**
   * Null when the slot is as a run must find it: its workspace fresh ({@link Workspace#check}),
   * no task in its cgroup, and no process of its uid alive anywhere on the host (every process of
   * a run starts in the cgroup; one outside it would be an escape). Else what is wrong.
   */
  public String check() {
    String ws = workspace.check();
    if (ws != null) return ws;
    if (!cgroup.isEmpty()) return "cgroup " + cgroup.name() + " still has tasks";
    String alive = processOf(uid);
    if (alive != null) return "process " + alive + " of uid " + uid + " is still alive";
    return null;
  }

  /**
   * A live process owned by {@code uid} ("PID (comm)"), or null: one stat per process
   * ({@code /proc/PID} belongs to the process's effective uid while it is dumpable; one that made
   * itself undumpable shows as root's and is caught by the cgroup check instead). A zombie is not
   * alive: it holds nothing but its pid until its parent (the worker's own process reaper, for a
   * sandbox's outermost process) collects it.
   */
  static String processOf(int uid) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(PROC)) {
      for (Path p : s) {
        String n = p.getFileName().toString();
        if (n.isEmpty() || n.charAt(0) < '0' || n.charAt(0) > '9') continue;
        try {
          if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid) continue;
          String stat = Files.readString(p.resolve("stat"));
          int close = stat.lastIndexOf(')');
          char state = close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
          if (state == 'Z' || state == 'X') continue;
          return n + " " + stat.substring(stat.indexOf('('), close + 1) + " state " + state;
        } catch (IOException | RuntimeException gone) {
          // exited meanwhile
        }
      }
    } catch (IOException e) {
      log.warn("cannot list /proc: {}", e.toString());
    }
    return null;
  }

  /** Kill what is left, detach the workspace, release the uid. */
  void close() {
    cgroup.killAll();
    cgroup.close();
    workspace.unmount();
    try {
      lease.release();
      leaseChannel.close();
    } catch (IOException ignored) {
      // the lock dies with the channel anyway
    }
  }

  @Override
  public String toString() {
    return "slot-" + uid;
  }
}
