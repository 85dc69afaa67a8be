package dev.sandpit.executor.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/**
 * One concurrent run slot: an unprivileged uid leased for this process alone (an exclusive file
 * lock; the kernel releases it if the worker dies), a cgroup, and a size-capped workspace. Runs
 * never share a uid, so one run's processes cannot signal, trace or starve another's.
 */
public final class Slot {
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

  /** Kill what is left, empty the workspace, release the uid. */
  void close() {
    cgroup.killAll();
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
