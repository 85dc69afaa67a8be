package dev.sandpit.executor.jobs;

import dev.sandpit.bus.EventLog;
import dev.sandpit.bus.InputLog;
import dev.sandpit.bus.RedisHashes;
import dev.sandpit.worker.process.RunListener;
import dev.sandpit.worker.process.RunResult;
import dev.sandpit.worker.process.RunSpec;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.FileNames;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.Limits;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.protocol.SourceFile;
import dev.sandpit.worker.Commands;
import dev.sandpit.worker.JobLog;
import dev.sandpit.worker.RunSlots;
import dev.sandpit.worker.SanitizerRuntime;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job on an executor, as an explicit state machine (Piston's job.js is the model): named
 * states, guarded transitions that only go forward, and one log prefix per job id.
 *
 * <pre>
 *   READY ──claim──▶ CLAIMING ──claimed──▶ LAUNCHING ──files written, program handed over──▶ RUNNING
 *     │                 │                      │                                             │
 *     └─ deadline ──────┴── already ended ─────┴── failure (internal_error logged) ──────────┴── complete logged
 *                                                  ▼
 *                                               ENDING ── slot released, entry acknowledged ──▶ DONE
 * </pre>
 *
 * A program can end before the launch is acknowledged (LAUNCHING → ENDING). Every failure on the
 * way ends in {@link #fail}, which logs an {@code internal_error} completion, so a client never
 * waits for a job the worker gave up on. Transitions happen on the executor's context; the run's
 * own callbacks come from its threads and hop onto the context to change state.
 */
final class JobExecution implements RunListener {
  private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);

  /** Where a job is. */
  enum State {
    READY, CLAIMING, LAUNCHING, RUNNING, ENDING, DONE;

    /** The states this one may go to. */
    Set<State> next() {
      return switch (this) {
        case READY -> EnumSet.of(CLAIMING, ENDING);
        case CLAIMING -> EnumSet.of(LAUNCHING, ENDING);
        case LAUNCHING -> EnumSet.of(RUNNING, ENDING);
        case RUNNING -> EnumSet.of(ENDING);
        case ENDING -> EnumSet.of(DONE);
        case DONE -> EnumSet.noneOf(State.class);
      };
    }
  }

  /** Output events in flight to Redis before the program's pipe is left to fill (backpressure). */
  private static final int WINDOW = 256;
  private static final long BYTES_PER_KB = 1024;
  private static final long BYTES_PER_MB = 1024 * 1024;
  /** KEYS: done flag, owner. ARGV: worker id, ttl. 0 when the job already ended, else takes it. */
  private static final String CLAIM = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
      + "redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])\nreturn 1\n";
  static final int RETURN_MAX_FILES = 200;
  static final long RETURN_MAX_FILE_BYTES = 1 << 20;
  static final long RETURN_MAX_TOTAL_BYTES = 8 << 20;

  private final JobServices w;
  private final JobLog log;
  private final Context ctx;
  private final String entryId;
  private final JobSpec spec;
  private final String jobId;
  private final Semaphore window = new Semaphore(WINDOW);
  private final List<String> channels;
  private volatile RunSlots.Lease lease;
  private State state = State.READY;
  /** An input read from Redis is in flight; {@code fetchAgain}: a wake-up came meanwhile. */
  private boolean fetching;
  private boolean fetchAgain;
  private String lastInputId;

  JobExecution(JobServices w, Context ctx, String entryId, JobSpec spec) {
    this.w = w;
    this.log = new JobLog(LOG, spec.jobId());
    this.ctx = ctx;
    this.entryId = entryId;
    this.spec = spec;
    this.jobId = spec.jobId();
    this.channels = List.of(Keys.inputResponseChannel(jobId), Keys.controlChannel(jobId));
  }

  String jobId() {
    return jobId;
  }

  State state() {
    return state;
  }

  /** Move to {@code next} if the machine allows it from here; false (and nothing changes) if not. */
  private boolean to(State next) {
    if (!state.next().contains(next)) {
      log.debug("stays {} (not to {})", state, next);
      return false;
    }
    log.debug("{} -> {}", state, next);
    state = next;
    return true;
  }

  void start() {
    if (System.currentTimeMillis() > spec.queueDeadlineMs()) {
      log.info("queue deadline passed; not starting");
      end();
      return;
    }
    to(State.CLAIMING);
    w.redis().send(Request.cmd(Command.EVAL).arg(CLAIM).arg(2).arg(Keys.done(jobId)).arg(Keys.owner(jobId))
            .arg(w.workerId()).arg(w.eventTtlS()))
        .compose(claimed -> {
          if (claimed.toInteger() == 0) return Future.succeededFuture(false);
          to(State.LAUNCHING);
          // subscribing to the job's input and starting the program go on side by side; input sent
          // before the subscription is read from the job's input stream once both are done
          Future<Void> subscribed = w.subscriber().subscribe(channels, m -> fetchInput());
          Future<Void> launched = artifact().compose(files -> w.vertx().executeBlocking(() -> launch(files), false));
          return Future.all(subscribed, launched).map(true);
        })
        .onSuccess(started -> {
          if (!started) {
            log.info("already ended; not starting");
            end();
            return;
          }
          if (to(State.RUNNING)) fetchInput(); // (not if the program ended already)
        })
        .onFailure(this::fail);
  }

  private Future<Map<String, byte[]>> artifact() {
    if (spec.artifact() == null) return Future.succeededFuture(Map.of());
    return w.redis().send(Request.cmd(Command.HGETALL).arg(Keys.artifact(spec.artifact())))
        .compose(r -> {
          Map<String, byte[]> files = RedisHashes.bytes(r);
          if (files.isEmpty()) return Future.failedFuture(new IllegalStateException("the compiled program expired before it ran"));
          return Future.succeededFuture(files);
        });
  }

  /** Blocking: take a slot, write the files, hand the program to its sandbox. */
  private Void launch(Map<String, byte[]> artifacts) throws Exception {
    Language lang = Languages.find(spec.language());
    if (lang == null) throw new IllegalArgumentException("unknown language " + spec.language());
    // a program with LeakSanitizer's runtime stops its own threads with ptrace at exit
    boolean tracing = SanitizerRuntime.checksLeaks(artifacts);
    RunSlots.Lease l = w.slots().take(tracing);
    if (l == null) throw new IllegalStateException("no free slot");
    lease = l;
    for (SourceFile f : spec.files()) {
      l.slot().workspace().write(FileNames.validate(f.name()), f.bytes(), false);
    }
    for (var a : artifacts.entrySet()) {
      l.slot().workspace().write(FileNames.validate(a.getKey()), a.getValue(), true);
    }
    Limits lim = w.limits().clamp(spec.limits());
    RunSpec rs = new RunSpec(Commands.runArgv(lang, spec, lim), Commands.env(lang.env(), spec, lim), spec.stdin(),
        lim.wallMs(), lim.cpuMs(), lim.memoryMb() * BYTES_PER_MB, lim.outputKb() * BYTES_PER_KB, true);
    // logged before the program can write anything, so "started" comes before every output
    EventLog.append(w.events(), new ServerEvent.Started(null, jobId, "run"), w.eventTtlS())
        .onFailure(e -> log.warn("started event not logged: {}", e.getMessage()));
    l.run().begin(jobId, rs, this);
    log.debug("started {} in {}", lang.id(), l.slot());
    return null;
  }

  // ---- input from clients (event loop) ----

  private void fetchInput() {
    if (state != State.RUNNING) return;
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    w.redis().send(InputLog.readAfter(jobId, lastInputId))
        .onComplete(ar -> {
          fetching = false;
          if (ar.succeeded()) {
            for (InputLog.Entry e : InputLog.entries(ar.result())) {
              lastInputId = e.id();
              apply(e.message());
            }
          } else {
            log.warn("reading input failed: {}", ar.cause().getMessage());
          }
          if (fetchAgain) {
            fetchAgain = false;
            fetchInput();
          }
        });
  }

  private void apply(ClientMessage m) {
    RunSlots.Lease l = lease;
    if (l == null) return;
    if (m instanceof ClientMessage.InputResponse in) {
      l.run().write(in.data() == null ? "" : in.data());
    } else if (m instanceof ClientMessage.Eof) {
      l.run().closeStdin();
    } else if (m instanceof ClientMessage.Stop) {
      w.vertx().executeBlocking(() -> {
        l.run().stop();
        return null;
      }, false).onFailure(e -> log.warn("stop failed: {}", e.toString()));
    }
  }

  /** After Redis came back: catch up on input; if Redis lost the job, nobody can follow it: end it. */
  void onReconnect() {
    fetchInput();
    w.redis().send(Request.cmd(Command.EXISTS).arg(Keys.seq(jobId)))
        .onSuccess(r -> {
          RunSlots.Lease l = lease;
          if (r.toInteger() == 0 && l != null) {
            log.warn("Redis lost the job's state; stopping it");
            w.vertx().executeBlocking(() -> {
              l.run().stop();
              return null;
            }, false);
          }
        });
  }

  // ---- events from the run (run threads) ----

  @Override
  public void onOutput(String stream, String data) {
    window.acquireUninterruptibly();
    EventLog.append(w.events(), new ServerEvent.Output(null, jobId, stream, data), w.eventTtlS())
        .onComplete(ar -> {
          window.release();
          if (ar.failed()) log.warn("output lost: {}", ar.cause().getMessage());
        });
  }

  @Override
  public void onInputRequest(String prompt) {
    EventLog.append(w.events(), new ServerEvent.InputRequest(null, jobId, prompt), w.eventTtlS())
        .onFailure(e -> log.warn("input request lost: {}", e.getMessage()));
  }

  @Override
  public void onComplete(RunResult r) {
    if (spec.returnFiles()) returnFiles();
    ServerEvent.Complete c = new ServerEvent.Complete(null, jobId, r.exitCode(), r.wallMs(), r.status(), r.cpuMs(),
        r.memoryKb(), r.signal(), r.truncated() ? Boolean.TRUE : null, r.message());
    EventLog.append(w.events(), c, w.eventTtlS())
        .onComplete(ar -> {
          if (ar.failed()) log.error("completion lost: {}", ar.cause().getMessage());
          ctx.runOnContext(v -> end());
        });
  }

  /** Session runs: hand the files the program created or changed to the gateway, before complete (same ordered link). */
  private void returnFiles() {
    RunSlots.Lease l = lease;
    if (l == null) return;
    try {
      Map<String, byte[]> now = l.slot().workspace().snapshot(RETURN_MAX_FILES, RETURN_MAX_FILE_BYTES, RETURN_MAX_TOTAL_BYTES);
      for (SourceFile f : spec.files()) {
        byte[] before = f.bytes();
        byte[] after = now.get(f.name());
        if (after != null && Arrays.equals(before, after)) now.remove(f.name());
      }
      if (spec.artifact() != null) {
        Language lang = Languages.find(spec.language());
        for (String glob : lang.artifacts()) {
          var m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
          now.keySet().removeIf(k -> m.matches(Path.of(k)));
        }
      }
      if (now.isEmpty()) return;
      Request hset = Request.cmd(Command.HSET).arg(Keys.runFiles(jobId));
      now.forEach((k, v) -> hset.arg(k).arg(Buffer.buffer(v)));
      w.events().send(hset);
      w.events().send(Request.cmd(Command.EXPIRE).arg(Keys.runFiles(jobId)).arg(w.eventTtlS()));
      log.debug("{} files handed back", now.size());
    } catch (Exception e) {
      log.warn("could not collect the files it wrote: {}", e.toString());
    }
  }

  // ---- endings (event loop) ----

  private void fail(Throwable e) {
    log.error("failed before it ran: {}", e.toString());
    ServerEvent.Complete c = ServerEvent.Complete.failed(jobId, RunStatus.INTERNAL_ERROR, 0L,
        "the executor could not start the program: " + e.getMessage());
    EventLog.append(w.events(), c, w.eventTtlS()).onComplete(ar -> end());
  }

  /** ENDING: stop listening, give the slot back (reset and checked), acknowledge the entry; then DONE. */
  private void end() {
    if (!to(State.ENDING)) return;
    w.subscriber().unsubscribe(channels).onFailure(e -> log.debug("unsubscribe: {}", e.toString()));
    RunSlots.Lease l = lease;
    Future<Void> released = l == null
        ? Future.succeededFuture()
        : w.vertx().executeBlocking(() -> {
          w.slots().release(l.slot());
          return null;
        }, false);
    released
        .eventually(() -> w.consumer().ack(entryId))
        .eventually(() -> w.redis().send(Request.cmd(Command.DEL).arg(Keys.owner(jobId))))
        .onComplete(ar -> {
          if (ar.failed()) log.warn("cleanup: {}", ar.cause().toString());
          to(State.DONE);
          w.finished().accept(this);
        });
  }
}
