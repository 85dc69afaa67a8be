package dev.sandpit.executor.jobs;

import dev.sandpit.bus.EventLog;
import dev.sandpit.bus.InputLog;
import dev.sandpit.executor.process.RunListener;
import dev.sandpit.executor.process.RunResult;
import dev.sandpit.executor.process.RunSpec;
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
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job on an executor, as a small state machine: checked (not already ended) → subscribed to
 * its input → files written in a slot → running → complete logged → slot cleaned → acknowledged.
 * Every failure on the way ends in {@link #fail}, which logs an {@code internal_error} completion,
 * so a client never waits for a job the worker gave up on.
 */
final class JobExecution implements RunListener {
  private static final Logger log = LoggerFactory.getLogger(JobExecution.class);
  /** Output events in flight to Redis before the program's pipe is left to fill (backpressure). */
  private static final int WINDOW = 256;
  /** KEYS: done flag, owner. ARGV: worker id, ttl. 0 when the job already ended, else takes it. */
  private static final String CLAIM = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
      + "redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])\nreturn 1\n";
  static final int RETURN_MAX_FILES = 200;
  static final long RETURN_MAX_FILE_BYTES = 1 << 20;
  static final long RETURN_MAX_TOTAL_BYTES = 8 << 20;

  private final ExecutorVerticle w;
  private final Context ctx;
  private final String entryId;
  private final JobSpec spec;
  private final String jobId;
  private final Semaphore window = new Semaphore(WINDOW);
  private final List<String> channels;
  private volatile RunSlots.Lease lease;
  private boolean launched;
  private boolean fetching;
  private boolean fetchAgain;
  private String lastInputId;
  private boolean cleaned;

  JobExecution(ExecutorVerticle w, Context ctx, String entryId, JobSpec spec) {
    this.w = w;
    this.ctx = ctx;
    this.entryId = entryId;
    this.spec = spec;
    this.jobId = spec.jobId();
    this.channels = List.of(Keys.inputResponseChannel(jobId), Keys.controlChannel(jobId));
  }

  String jobId() {
    return jobId;
  }

  void start() {
    if (System.currentTimeMillis() > spec.queueDeadlineMs()) {
      log.info("job {}: queue deadline passed; not starting", jobId);
      skip();
      return;
    }
    w.redis().send(Request.cmd(Command.EVAL).arg(CLAIM).arg(2).arg(Keys.done(jobId)).arg(Keys.owner(jobId))
            .arg(w.workerId()).arg(w.eventTtlS()))
        .compose(claimed -> {
          if (claimed.toInteger() == 0) return Future.succeededFuture(false);
          // subscribing to the job's input and starting the program go on side by side; input sent
          // before the subscription is read from the job's input stream once both are done
          Future<Void> subscribed = w.subscriber().subscribe(channels, m -> fetchInput());
          Future<Void> launched = artifact().compose(files -> w.vertx().executeBlocking(() -> launch(files), false));
          return Future.all(subscribed, launched).map(true);
        })
        .onSuccess(started -> {
          if (!started) {
            log.info("job {}: already ended; not starting", jobId);
            skip();
            return;
          }
          launched = true;
          fetchInput();
        })
        .onFailure(this::fail);
  }

  private Future<Map<String, byte[]>> artifact() {
    if (spec.artifact() == null) return Future.succeededFuture(Map.of());
    return w.redis().send(Request.cmd(Command.HGETALL).arg(Keys.artifact(spec.artifact())))
        .timeout(w.timeoutMs(), TimeUnit.MILLISECONDS)
        .compose(r -> {
          Map<String, byte[]> files = dev.sandpit.bus.RedisHashes.bytes(r);
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
        lim.wallMs(), lim.cpuMs(), lim.memoryMb() << 20, lim.outputKb() * 1024, true);
    // logged before the program can write anything, so "started" comes before every output
    EventLog.append(w.events(), new ServerEvent.Started(null, jobId, "run"), w.eventTtlS())
        .onFailure(e -> log.warn("job {}: started event not logged: {}", jobId, e.getMessage()));
    l.run().begin(jobId, rs, this);
    log.debug("job {}: started {} in {}", jobId, lang.id(), l.slot());
    return null;
  }

  // ---- input from clients (event loop) ----

  private void fetchInput() {
    if (!launched || cleaned) return;
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    w.redis().send(InputLog.readAfter(jobId, lastInputId))
        .timeout(w.timeoutMs(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          fetching = false;
          if (ar.succeeded()) {
            for (InputLog.Entry e : InputLog.entries(ar.result())) {
              lastInputId = e.id();
              apply(e.message());
            }
          } else {
            log.warn("job {}: reading input failed: {}", jobId, ar.cause().getMessage());
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
      }, false).onFailure(e -> log.warn("job {}: stop failed: {}", jobId, e.toString()));
    }
  }

  /** After Redis came back: catch up on input; if Redis lost the job, nobody can follow it: end it. */
  void onReconnect() {
    fetchInput();
    w.redis().send(Request.cmd(Command.EXISTS).arg(Keys.seq(jobId)))
        .timeout(w.timeoutMs(), TimeUnit.MILLISECONDS)
        .onSuccess(r -> {
          RunSlots.Lease l = lease;
          if (r.toInteger() == 0 && l != null) {
            log.warn("job {}: Redis lost the job's state; stopping it", jobId);
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
          if (ar.failed()) log.warn("job {}: output lost: {}", jobId, ar.cause().getMessage());
        });
  }

  @Override
  public void onInputRequest(String prompt) {
    EventLog.append(w.events(), new ServerEvent.InputRequest(null, jobId, prompt), w.eventTtlS())
        .onFailure(e -> log.warn("job {}: input request lost: {}", jobId, e.getMessage()));
  }

  @Override
  public void onComplete(RunResult r) {
    if (spec.returnFiles()) returnFiles();
    ServerEvent.Complete c = new ServerEvent.Complete(null, jobId, r.exitCode(), r.wallMs(), r.status(), r.cpuMs(),
        r.memoryKb(), r.signal(), r.truncated() ? Boolean.TRUE : null, r.message());
    EventLog.append(w.events(), c, w.eventTtlS())
        .onComplete(ar -> {
          if (ar.failed()) log.error("job {}: completion lost: {}", jobId, ar.cause().getMessage());
          ctx.runOnContext(v -> cleanup());
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
        if (after != null && java.util.Arrays.equals(before, after)) now.remove(f.name());
      }
      if (spec.artifact() != null) {
        Language lang = Languages.find(spec.language());
        for (String glob : lang.artifacts()) {
          var m = java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob);
          now.keySet().removeIf(k -> m.matches(java.nio.file.Path.of(k)));
        }
      }
      if (now.isEmpty()) return;
      Request hset = Request.cmd(Command.HSET).arg(Keys.runFiles(jobId));
      now.forEach((k, v) -> hset.arg(k).arg(io.vertx.core.buffer.Buffer.buffer(v)));
      w.events().send(hset);
      w.events().send(Request.cmd(Command.EXPIRE).arg(Keys.runFiles(jobId)).arg(w.eventTtlS()));
      log.debug("job {}: {} files handed back", jobId, now.size());
    } catch (Exception e) {
      log.warn("job {}: could not collect the files it wrote: {}", jobId, e.toString());
    }
  }

  // ---- endings (event loop) ----

  private void fail(Throwable e) {
    log.error("job {}: failed before it ran: {}", jobId, e.toString());
    ServerEvent.Complete c = new ServerEvent.Complete(null, jobId, null, 0L, RunStatus.INTERNAL_ERROR, null, null, null, null,
        "the executor could not start the program: " + e.getMessage());
    EventLog.append(w.events(), c, w.eventTtlS()).onComplete(ar -> cleanup());
  }

  private void skip() {
    cleanup();
  }

  private void cleanup() {
    if (cleaned) return;
    cleaned = true;
    w.subscriber().unsubscribe(channels).onFailure(e -> log.debug("job {}: unsubscribe: {}", jobId, e.toString()));
    RunSlots.Lease l = lease;
    Future<Void> released = l == null
        ? Future.succeededFuture()
        : w.vertx().executeBlocking(() -> {
          w.slots().release(l.slot());
          return null;
        }, false);
    released
        .eventually(() -> w.consumer().ack(entryId))
        .eventually(() -> w.redis().send(Request.cmd(Command.DEL).arg(Keys.owner(jobId))).timeout(w.timeoutMs(), TimeUnit.MILLISECONDS))
        .onComplete(ar -> {
          if (ar.failed()) log.warn("job {}: cleanup: {}", jobId, ar.cause().toString());
          w.finished(this);
        });
  }
}
