package dev.sandpit.executor.jobs;

import dev.sandpit.executor.process.SandboxRun;
import dev.sandpit.executor.sandbox.Sandbox;
import dev.sandpit.executor.sandbox.SandboxConfig;
import dev.sandpit.executor.sandbox.Slot;
import dev.sandpit.executor.sandbox.SlotPool;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's slots, each ready with a sandbox already started and waiting for its program (seed
 * 002's container pooling): a job only writes its files and hands over its command line. A slot
 * is cleaned (processes killed, workspace emptied) before it gets its next sandbox. Blocking: call
 * off the event loop.
 */
public final class RunSlots implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunSlots.class);

  /** A slot and the sandbox started in it (null when it starts on demand). */
  public record Lease(Slot slot, SandboxRun run) {}

  private final SlotPool pool;
  private final Sandbox sandbox;
  private final boolean warm;
  private final LinkedBlockingQueue<Lease> ready = new LinkedBlockingQueue<>();

  public RunSlots(SandboxConfig config, int size) throws IOException {
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
      ready.add(new Lease(s, warm ? spawnQuietly(s) : null));
    }
  }

  public Sandbox sandbox() {
    return sandbox;
  }

  public int size() {
    return pool.size();
  }

  public int free() {
    return ready.size();
  }

  /** A free slot with a live sandbox in it, or null when all are busy. */
  public Lease take() throws IOException {
    Lease l = ready.poll();
    if (l == null) return null;
    if (l.run() != null && l.run().alive()) return l;
    if (l.run() != null) {
      log.warn("{}: pre-started sandbox died; starting a new one", l.slot());
      l.run().discard();
    }
    return new Lease(l.slot(), SandboxRun.spawn(sandbox, l.slot()));
  }

  /**
   * A free slot whose sandbox lets the program ptrace its own processes (programs built with a
   * leak-checking sanitizer): the warm sandbox, made for ordinary programs, is replaced by one
   * started for this run. Null when all slots are busy.
   */
  public Lease take(boolean tracing) throws IOException {
    if (!tracing) return take();
    Lease l = ready.poll();
    if (l == null) return null;
    if (l.run() != null) l.run().discard();
    return new Lease(l.slot(), SandboxRun.spawn(sandbox, l.slot(), true));
  }

  /** Kill what is left in the slot, empty its workspace, start its next sandbox. */
  public void release(Slot slot) {
    slot.cgroup().killAll();
    try {
      slot.workspace().clean();
    } catch (IOException e) {
      log.error("{}: cleaning the workspace failed; remounting", slot, e);
    }
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
