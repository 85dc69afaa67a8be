package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run slots of one worker process. Slots are claimed from the host-wide uid range by file
 * lock, so several workers on one host never hand out the same uid.
 */
public final class SlotPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SlotPool.class);

  private final List<Slot> all = new ArrayList<>();
  private final BlockingQueue<Slot> free;
  private final SandboxConfig config;

  private SlotPool(SandboxConfig config, int size) {
    this.config = config;
    this.free = new ArrayBlockingQueue<>(size);
  }

  public static SlotPool claim(SandboxConfig config, int size) throws IOException {
    SlotPool pool = new SlotPool(config, size);
    // uids and their cgroups are host-wide, so their leases are too, whatever the work root
    Path locks = Workspace.isRoot() ? Path.of("/run/sandpit/uid-locks") : config.workRoot().resolve("locks");
    Files.createDirectories(locks);
    for (int uid = config.uidBase(); uid < config.uidBase() + config.uidCount() && pool.all.size() < size; uid++) {
      FileChannel ch = FileChannel.open(locks.resolve("uid-" + uid + ".lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        continue;
      }
      CGroup cg = CGroups.of(config.cgroupRoot(), "sandpit/slot-" + uid);
      cg.create(config.pidsMax(), config.cpuPercent());
      cg.killAll(); // leftovers of a worker that died holding this uid
      Workspace ws = new Workspace(config.workRoot().resolve("ws").resolve(Integer.toString(uid)), uid);
      ws.prepare(config.workspaceMb());
      Slot slot = new Slot(uid, cg, ws, ch, lock);
      pool.all.add(slot);
      pool.free.add(slot);
    }
    if (pool.all.size() < size) {
      pool.close();
      throw new IOException("only " + pool.all.size() + " of " + size + " sandbox uids are free in ["
          + config.uidBase() + ", " + (config.uidBase() + config.uidCount()) + ")");
    }
    log.info("claimed {} sandbox slots: uids {}, cgroup {} under {}", size, pool.all.stream().map(Slot::uid).toList(),
        CGroups.version(config.cgroupRoot()), config.cgroupRoot());
    return pool;
  }

  public Slot take(long timeoutMs) throws InterruptedException {
    return free.poll(timeoutMs, TimeUnit.MILLISECONDS);
  }

  public void release(Slot s) {
    free.add(s);
  }

  public int size() {
    return all.size();
  }

  public int available() {
    return free.size();
  }

  public List<Slot> slots() {
    return List.copyOf(all);
  }

  public SandboxConfig config() {
    return config;
  }

  @Override
  public void close() {
    for (Slot s : all) s.close();
  }
}
