package dev.sandpit.worker;

import dev.sandpit.worker.process.SandboxRun;
import dev.sandpit.worker.sandbox.CGroups;
import dev.sandpit.worker.sandbox.Sandbox;
import dev.sandpit.worker.sandbox.SandboxConfig;
import dev.sandpit.worker.sandbox.Slot;
import dev.sandpit.worker.sandbox.SlotPool;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's slots, each ready with a sandbox already started and waiting for its program (seed
 * 002's container pooling): a job only writes its files and hands over its command line.
 *
 * <p>Fail closed: after every run a slot is reset (processes killed, a fresh workspace mounted)
 * and checked ({@link Slot#check}) before its next sandbox starts, and its workspace is checked
 * again when a job takes it. A slot that fails is quarantined and rebuilt from scratch (new
 * cgroup, new mount) and checked again; one that still fails is retired: it never serves again,
 * and the worker's capacity, health and heartbeat say so. Blocking: call off the event loop.
 */
public final class RunSlots implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunSlots.class);

  /** A slot and the sandbox started in it (null when it starts on demand). */
  public record Lease(Slot slot, SandboxRun run) {}

  /** A slot that left the pool, and why. */
  public record Retired(String slot, String reason) {}

  private final SlotPool pool;
  private final Sandbox sandbox;
  private final boolean warm;
  private final String cgroupVersion;
  private final LinkedBlockingQueue<Lease> ready = new LinkedBlockingQueue<>();
  private final List<Retired> retired = new CopyOnWriteArrayList<>();
  private final AtomicLong quarantines = new AtomicLong();

  public RunSlots(SandboxConfig config, int size) throws IOException {
    this.cgroupVersion = CGroups.version(config.cgroupRoot());
    this.pool = SlotPool.claim(config, size);
    this.sandbox = Sandbox.create(config);
    this.warm = config.warm();
    for (int i = 0; i < size; i++) {
      Slot s;
      try {
        s = pool.take(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      String problem = s.check();
      if (problem != null) {
        quarantine(s, problem);
      } else {
        ready.add(new Lease(s, warm ? spawnQuietly(s) : null));
      }
    }
  }

  public Sandbox sandbox() {
    return sandbox;
  }

  /** The cgroup version the slots run on ("v1" or "v2"), chosen at start from what the host mounts. */
  public String cgroupVersion() {
    return cgroupVersion;
  }

  /** Slots that serve: those claimed less those retired. */
  public int size() {
    return pool.size() - retired.size();
  }

  public int free() {
    return ready.size();
  }

  /** Slots that failed their rebuild and left the pool. */
  public List<Retired> retired() {
    return List.copyOf(retired);
  }

  /** How many times a slot failed its check and was rebuilt (or retired). */
  public long quarantines() {
    return quarantines.get();
  }

  /** A free slot with a live sandbox in it, or null when all are busy. */
  public Lease take() throws IOException {
    return take(false);
  }

  /**
   * A free slot with a live sandbox in it, or null when all are busy. With {@code tracing} the
   * program may ptrace its own processes (programs built with a leak-checking sanitizer): the warm
   * sandbox, made for ordinary programs, is replaced by one started for this run.
   */
  public Lease take(boolean tracing) throws IOException {
    for (;;) {
      Lease l = ready.poll();
      if (l == null) return null;
      // the check before use: a fresh, empty workspace of the slot's uid
      String problem = l.slot().workspace().check();
      if (problem != null) {
        if (l.run() != null) l.run().discard();
        quarantine(l.slot(), problem);
        continue;
      }
      if (!tracing && l.run() != null && l.run().alive()) return l;
      if (l.run() != null) {
        if (!tracing) log.warn("{}: pre-started sandbox died; starting a new one", l.slot());
        l.run().discard();
      }
      return new Lease(l.slot(), SandboxRun.spawn(sandbox, l.slot(), tracing));
    }
  }

  /** Kill what is left in the slot, give it a fresh workspace, check it, start its next sandbox. */
  public void release(Slot slot) {
    String problem = slot.reset();
    if (problem != null) {
      quarantine(slot, problem);
      return;
    }
    ready.add(new Lease(slot, warm ? spawnQuietly(slot) : null));
  }

  /** Rebuild a slot that failed its check; it serves again only if the rebuilt slot passes, else it is retired. */
  private void quarantine(Slot slot, String problem) {
    quarantines.incrementAndGet();
    log.warn("{}: failed its check ({}); quarantined and rebuilt", slot, problem);
    String again = slot.rebuild();
    if (again != null) {
      retired.add(new Retired(slot.toString(), again));
      log.error("{}: still fails after a rebuild ({}); retired, {} slots serve", slot, again, size());
      return;
    }
    log.info("{}: rebuilt and checked; back in the pool", slot);
    ready.add(new Lease(slot, warm ? spawnQuietly(slot) : null));
  }

  private SandboxRun spawnQuietly(Slot s) {
    try {
      return SandboxRun.spawn(sandbox, s);
    } catch (IOException e) {
      log.error("{}: cannot start a sandbox: {}", s, e.toString());
      return null;
    }
  }

  @Override
  public void close() {
    Lease l;
    while ((l = ready.poll()) != null) {
      if (l.run() != null) l.run().discard();
    }
    pool.close();
  }
}
