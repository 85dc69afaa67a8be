package dev.sandpit.worker.process;

import dev.sandpit.worker.sandbox.CommandLine;
import dev.sandpit.worker.sandbox.Sandbox;
import dev.sandpit.worker.sandbox.Slot;
import dev.sandpit.protocol.RunStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One program running in one slot's sandbox: its stdin writer, its two output readers, and a
 * monitor that enforces wall and CPU time, spots blocked stdin reads, and reports the end. The
 * sandbox may be spawned before the job is known ({@link #spawn}); {@link #begin} hands it the
 * program. Events reach the listener in program order: output read before a blocked read was
 * seen is delivered before the input request, and all output before the completion.
 */
public final class SandboxRun {
  private static final Logger log = LoggerFactory.getLogger(SandboxRun.class);
  private static final byte[] EOF = new byte[0];
  private static final long STOP_GRACE_MS = 2000;
  private static final int CHUNK = 64 * 1024;
  private static final long STOP_GRACE_NS = STOP_GRACE_MS * 1_000_000L;
  /** The least gap between two checks of the CPU limit (see {@link #nextCpuCheck}). */
  private static final long CHECK_MS = 10, CHECK_NS = CHECK_MS * 1_000_000L;
  /** Gap between looks for a blocked stdin read: 2 ms after output, doubling to 32 ms while none is found. */
  private static final long PROBE_GAP_MAX_MS = 32;
  private static final long PROBE_GAP_MIN_NS = 2_000_000L, PROBE_GAP_MAX_NS = PROBE_GAP_MAX_MS * 1_000_000L;
  /** While an input request is out: a look now and then, to see the answer taken and the next read. */
  private static final long PROBE_WAITING_NS = 4_000_000L;
  private static final long NS_PER_MS = 1_000_000L;
  private static final long BYTES_PER_KB = 1024;
  private static final long BYTES_PER_MB = 1024 * 1024;
  /** The supervising loop never waits less than this. */
  private static final long MIN_WAIT_NS = 500_000L;
  /** A program that used more CPU than this since the last look is not waiting for input. */
  private static final long BUSY_CPU_NS = 200_000L;
  /** The CPU check allows 10% over the quota: CFS may let a group run a little past it within a period. */
  private static final double CPU_QUOTA_SLACK = 1.1;
  /** How long the output pipes may take to close after the leftovers were killed. */
  private static final long LEFTOVER_OUTPUT_WAIT_MS = 200;
  private static final long JOIN_WAIT_MS = 3000;
  private static final long JOIN_AFTER_CLOSE_WAIT_MS = 1000;
  /** An exit status above this is a death by signal (128 + the signal's number). */
  private static final int SIGNAL_EXIT_BASE = 128;
  private static final int MAX_SIGNAL = 64;
  /** What is kept of the output's last line (the prompt an input_request shows). */
  private static final int MAX_TAIL_CHARS = 1024;
  /**
   * The threads of every run (stdin writer, two output readers, monitor): pooled, since starting
   * four threads per run was a visible part of a short run's cost to the worker.
   */
  private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "run-pool");
    t.setDaemon(true);
    return t;
  });
  /** Each pooled thread's kernel thread id (for {@link Reader#drained}), looked up once per thread. */
  private static final ThreadLocal<String> NATIVE_TID = ThreadLocal.withInitial(() -> {
    try {
      return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  });

  private final Sandbox sandbox;
  private final Slot slot;
  private final Process process;
  private final OutputStream stdin;
  private final LinkedBlockingQueue<byte[]> stdinQueue = new LinkedBlockingQueue<>();
  private final Object emitLock = new Object();
  private final AtomicReference<Verdict> verdict = new AtomicReference<>();
  private final StringBuilder tail = new StringBuilder();

  private String jobId = "-";
  private RunSpec spec;
  private RunListener listener;
  private long startNanos;
  private long cpu0;
  private long oom0;
  private long outputBytes;
  private boolean truncated;
  private volatile boolean stdinClosed;
  private volatile long stopRequestedAt;
  private final Reader out = new Reader("stdout");
  private final Reader err = new Reader("stderr");

  private record Verdict(RunStatus status, String message) {}

  private SandboxRun(Sandbox sandbox, Slot slot, Process process) {
    this.sandbox = sandbox;
    this.slot = slot;
    this.process = process;
    this.stdin = process.getOutputStream();
  }

  /** Start a sandbox in the slot whose init waits for its program. */
  public static SandboxRun spawn(Sandbox sandbox, Slot slot) throws IOException {
    return spawn(sandbox, slot, false);
  }

  /** {@link #spawn(Sandbox, Slot)}; with {@code tracing} the program may ptrace its own processes. */
  public static SandboxRun spawn(Sandbox sandbox, Slot slot, boolean tracing) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(sandbox.launchCommand(slot, tracing));
    pb.environment().clear();
    pb.environment().putAll(sandbox.launchEnv(slot, tracing));
    pb.directory(Path.of("/").toFile());
    return new SandboxRun(sandbox, slot, pb.start());
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Slot slot() {
    return slot;
  }

  /** Kill a sandbox that will not be used. */
  public void discard() {
    process.destroyForcibly();
    slot.cgroup().killAll();
  }

  /** Hand the program to the sandbox; returns at once, the result goes to the listener. */
  public void begin(String jobId, RunSpec spec, RunListener listener) throws IOException {
    this.jobId = jobId;
    this.spec = spec;
    this.listener = listener;
    slot.cgroup().setMemoryLimit(spec.memoryBytes());
    slot.cgroup().resetPeak();
    cpu0 = slot.cgroup().cpuNanos();
    oom0 = slot.cgroup().oomKills();
    byte[] line = CommandLine.of(spec.argv(), spec.env()).getBytes(StandardCharsets.UTF_8);
    startNanos = System.nanoTime();
    stdin.write(line);
    stdin.flush();
    if (spec.stdin() != null) {
      stdinQueue.add(spec.stdin().getBytes(StandardCharsets.UTF_8));
      stdinQueue.add(EOF);
    }
    thread("stdin", this::writeStdin);
    thread("stdout", () -> out.pump(process.getInputStream()));
    thread("stderr", () -> err.pump(process.getErrorStream()));
    thread("monitor", this::monitor);
  }

  /** Write text to the program's stdin (in order with every other write). */
  public void write(String data) {
    if (stdinClosed) return;
    synchronized (emitLock) {
      tail.setLength(0); // the answer ends the prompt's line, as the echo would in a terminal
    }
    stdinQueue.add(data.getBytes(StandardCharsets.UTF_8));
  }

  public void closeStdin() {
    if (!stdinClosed) stdinQueue.add(EOF);
  }

  /** SIGINT to the program now, SIGKILL after a grace period if it is still there. */
  public void stop() {
    if (stopRequestedAt != 0) return;
    stopRequestedAt = System.nanoTime();
    verdict.compareAndSet(null, new Verdict(RunStatus.STOPPED, "stopped on request"));
    List<String> argv = new ArrayList<>(List.of("/bin/kill", "-INT"));
    int command = argv.size();
    for (long pid : slot.cgroup().procs()) {
      String comm = InputProbe.comm(pid);
      if (comm != null && !sandbox.supervisorNames().contains(comm)) argv.add(Long.toString(pid));
    }
    if (argv.size() > command) {
      try {
        new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      } catch (IOException e) {
        log.warn("job {}: SIGINT failed: {}", jobId, e.toString());
      }
    }
  }

  private void kill(RunStatus status, String message) {
    verdict.compareAndSet(null, new Verdict(status, message));
    slot.cgroup().killAll();
    process.destroyForcibly();
  }

  private void thread(String role, Runnable r) {
    THREADS.execute(() -> {
      Thread t = Thread.currentThread();
      t.setName("run-" + jobId + "-" + role);
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("job {}: {} thread failed", jobId, role, e);
        kill(RunStatus.INTERNAL_ERROR, "internal error in " + role);
      } finally {
        Thread.interrupted(); // a pooled thread starts its next task clean
        t.setName("run-pool");
      }
    });
  }

  private void writeStdin() {
    try {
      while (true) {
        byte[] b = stdinQueue.take();
        if (b == EOF) break;
        stdin.write(b);
        stdin.flush();
      }
    } catch (IOException e) {
      // the program closed its stdin or ended: nothing left to deliver
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stdinClosed = true;
      try {
        stdin.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }

  /**
   * Wakes when something is due — the next limit check, the next look for a blocked stdin read,
   * the wall deadline, the end of a stop's grace period — or when the program ends (waitFor is
   * woken by the process reaper at once). Each wake-up costs the worker a context switch and a
   * cgroup read, and a run on a loaded machine lasts many times longer than its own CPU time, so
   * the wake-ups are few: the CPU limit is checked when it could first be reached at the slot's
   * CPU quota (never sooner than {@value #CHECK_MS} ms apart), and looks for a blocked read come
   * 2 ms after output, backing off to {@value #PROBE_GAP_MAX_MS} ms while none is found.
   */
  private void monitor() {
    long wallDeadline = startNanos + TimeUnit.MILLISECONDS.toNanos(spec.wallMs());
    long lastCpu = cpu0;
    long seenOut = 0;
    String lastKey = null;
    String requestedKey = null;
    boolean probing = spec.interactive() && spec.stdin() == null;
    long nextCheck = nextCpuCheck(startNanos, 0);
    long nextProbe = startNanos + PROBE_GAP_MIN_NS;
    long probeGap = PROBE_GAP_MIN_NS;
    InputProbe probe = new InputProbe(sandbox.supervisorNames());
    try {
      while (true) {
        long now = System.nanoTime();
        long wake = Math.min(nextCheck, wallDeadline);
        if (probing) wake = Math.min(wake, nextProbe);
        if (stopRequestedAt != 0) wake = Math.min(wake, stopRequestedAt + STOP_GRACE_NS);
        long waitNs = Math.max(wake - now, MIN_WAIT_NS);
        if (process.waitFor(waitNs, TimeUnit.NANOSECONDS)) break;
        now = System.nanoTime();
        if (stopRequestedAt != 0 && now - stopRequestedAt > STOP_GRACE_NS) {
          String killed = "stopped on request (killed after " + STOP_GRACE_MS + " ms)";
          // stop() has set its verdict already: replace it, or the message never says SIGKILL
          Verdict v = verdict.get();
          if (v != null && v.status() == RunStatus.STOPPED) verdict.compareAndSet(v, new Verdict(RunStatus.STOPPED, killed));
          kill(RunStatus.STOPPED, killed);
        }
        if (now >= wallDeadline) {
          kill(RunStatus.TIMEOUT, "wall time limit of " + spec.wallMs() + " ms exceeded");
        }
        long o = out.total + err.total;
        if (o != seenOut) {
          seenOut = o;
          probeGap = PROBE_GAP_MIN_NS; // a prompt may just have been printed: look soon
          nextProbe = Math.min(nextProbe, now + PROBE_GAP_MIN_NS);
        }
        boolean probeDue = probing && now >= nextProbe && !stdinClosed && verdict.get() == null;
        if (now < nextCheck && !probeDue) continue;
        long cpuNow = slot.cgroup().cpuNanos(); // one cgroup read serves the limit and the probe
        if (spec.cpuMs() > 0 && (cpuNow - cpu0) / NS_PER_MS > spec.cpuMs()) {
          kill(RunStatus.TIMEOUT, "CPU time limit of " + spec.cpuMs() + " ms exceeded");
        }
        if (now >= nextCheck) nextCheck = nextCpuCheck(now, cpuNow - cpu0);
        // stdin given up front is closed after it: a read that blocks meanwhile waits for the
        // writer, never for the user (large inputs drain faster than the pipe is refilled).
        // A program that used CPU since the last look is not waiting for anyone: no /proc walk.
        boolean busy = cpuNow - lastCpu > BUSY_CPU_NS;
        lastCpu = cpuNow;
        if (!probeDue) continue;
        String key = busy ? null : probe.blockedOnStdin(slot.cgroup().tasks());
        if (key == null) {
          // computing, or nothing waits: look less often the longer that stays so
          lastKey = null;
          nextProbe = now + probeGap;
          probeGap = Math.min(probeGap * 2, PROBE_GAP_MAX_NS);
        } else if (key.equals(requestedKey)) {
          nextProbe = now + PROBE_WAITING_NS; // asked already: the user is answering
        } else {
          if (key.equals(lastKey) && out.drained() && err.drained()) {
            synchronized (emitLock) {
              listener.onInputRequest(tail.toString());
            }
            requestedKey = key;
          }
          lastKey = key;
          nextProbe = now + PROBE_GAP_MIN_NS; // confirm on the next look
        }
      }
      finish();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(RunStatus.INTERNAL_ERROR, "interrupted");
    } finally {
      probe.close();
    }
  }

  /** When the CPU limit could first be exceeded, having used {@code usedNs} of it by {@code now}. */
  private long nextCpuCheck(long now, long usedNs) {
    if (spec.cpuMs() <= 0) return Long.MAX_VALUE;
    long leftNs = spec.cpuMs() * NS_PER_MS - usedNs;
    // 10% slack over the quota: CFS may let a group run a little past it within a period
    long wallNs = (long) (leftNs / (slot.cgroup().cpuCores() * CPU_QUOTA_SLACK));
    return now + Math.max(CHECK_NS, wallNs);
  }

  private void finish() throws InterruptedException {
    long wallMs = (System.nanoTime() - startNanos) / NS_PER_MS;
    int exit = process.exitValue();
    // whatever the program left behind: SIGKILL, then wait for the output pipes to close (the last
    // holder is usually bwrap's pid 1, on its way out), then make sure with the freezer if needed
    if (slot.cgroup().signalAll() > 0) {
      out.awaitDone(LEFTOVER_OUTPUT_WAIT_MS);
      err.awaitDone(LEFTOVER_OUTPUT_WAIT_MS);
      slot.cgroup().killAll();
    }
    out.join();
    err.join();
    stdinQueue.add(EOF);
    long cpuMs = Math.max(0, (slot.cgroup().cpuNanos() - cpu0) / NS_PER_MS);
    long memKb = Math.max(0, slot.cgroup().peakBytes() / BYTES_PER_KB);
    boolean oom = slot.cgroup().oomKills() > oom0;
    Verdict v = verdict.get();
    RunStatus status;
    String message = null;
    String signal = exit > SIGNAL_EXIT_BASE && exit <= SIGNAL_EXIT_BASE + MAX_SIGNAL ? Signals.name(exit - SIGNAL_EXIT_BASE) : null;
    if (oom && (v == null || v.status() != RunStatus.STOPPED)) {
      status = RunStatus.MEMORY_LIMIT;
      message = "memory limit of " + spec.memoryBytes() / BYTES_PER_MB + " MB exceeded";
    } else if (v != null) {
      status = v.status();
      message = v.message();
    } else {
      status = exit == 0 ? RunStatus.OK : RunStatus.RUNTIME_ERROR;
    }
    if (v != null && v.status() != RunStatus.STOPPED || oom) signal = "SIGKILL";
    RunResult r = new RunResult(status, exit, signal, wallMs, cpuMs, memKb, truncated, message);
    log.debug("job {}: {} exit {} in {} ms", jobId, status.wire(), exit, wallMs);
    synchronized (emitLock) {
      listener.onComplete(r);
    }
  }

  /** Pumps one output stream; knows whether it holds unread pipe data. */
  private final class Reader {
    private final String stream;
    private final Utf8Chunker utf8 = new Utf8Chunker();
    private volatile boolean busy = true;
    private volatile String nativeTid;
    private volatile long total;

    Reader(String stream) {
      this.stream = stream;
    }

    void pump(InputStream in) {
      nativeTid = NATIVE_TID.get();
      byte[] buf = new byte[CHUNK];
      try {
        while (true) {
          busy = false;
          int n = in.read(buf, 0, buf.length);
          busy = true;
          if (n < 0) break;
          // coalesce what is already there: one event per burst, not per write()
          int avail;
          while (n < buf.length && (avail = in.available()) > 0) {
            int m = in.read(buf, n, Math.min(avail, buf.length - n));
            if (m < 0) break;
            n += m;
          }
          total += n;
          deliver(buf, n, false);
        }
      } catch (IOException e) {
        // stream closed under us when the run was torn down
      } finally {
        busy = true;
        try {
          deliver(buf, 0, true);
        } finally {
          synchronized (this) {
            done = true;
            notifyAll();
          }
        }
      }
    }

    private boolean done;

    private void deliver(byte[] buf, int n, boolean last) {
      synchronized (emitLock) {
        int keep = n;
        boolean over = false;
        if (spec.outputBytes() > 0 && outputBytes + n > spec.outputBytes()) {
          keep = (int) Math.max(0, spec.outputBytes() - outputBytes);
          over = !truncated;
        }
        if (truncated) keep = 0;
        outputBytes += keep;
        String text = utf8.decode(buf, 0, keep, last || over);
        if (!text.isEmpty()) {
          trackTail(text);
          listener.onOutput(stream, text);
        }
        if (over) {
          truncated = true;
          listener.onOutput("stderr", "\n[output truncated: the limit of " + spec.outputBytes() / BYTES_PER_KB + " KB was reached]\n");
          verdict.compareAndSet(null, new Verdict(RunStatus.OUTPUT_LIMIT,
              "output limit of " + spec.outputBytes() / BYTES_PER_KB + " KB exceeded"));
          thread(stream + "-kill", () -> kill(RunStatus.OUTPUT_LIMIT, null));
        }
      }
    }

    /** True when this reader has delivered everything and sleeps in read() on an empty pipe. */
    boolean drained() {
      if (busy) return false;
      String tid = nativeTid;
      if (tid == null) return true;
      try {
        String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
        int close = stat.lastIndexOf(')');
        return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'S' && !busy;
      } catch (IOException e) {
        return true;
      }
    }

    /** Waits up to {@code ms} for the stream's end; true when it has ended. */
    synchronized boolean awaitDone(long ms) throws InterruptedException {
      long deadline = System.nanoTime() + ms * NS_PER_MS;
      while (!done) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }

    /** Waits for the stream's end: 3 s, then closes it and waits 1 s more. */
    void join() throws InterruptedException {
      if (awaitDone(JOIN_WAIT_MS)) return;
      log.warn("job {}: {} still open after the run ended; closing it", jobId, stream);
      try {
        (stream.equals("stdout") ? process.getInputStream() : process.getErrorStream()).close();
      } catch (IOException ignored) {
        // best effort
      }
      awaitDone(JOIN_AFTER_CLOSE_WAIT_MS);
    }
  }

  private void trackTail(String text) {
    int nl = text.lastIndexOf('\n');
    if (nl >= 0) {
      tail.setLength(0);
      tail.append(text, nl + 1, text.length());
    } else {
      tail.append(text);
    }
    if (tail.length() > MAX_TAIL_CHARS) tail.delete(0, tail.length() - MAX_TAIL_CHARS);
    int cr = tail.lastIndexOf("\r");
    if (cr >= 0) tail.delete(0, cr + 1);
  }
}
