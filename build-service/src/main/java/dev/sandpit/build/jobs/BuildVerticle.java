package dev.sandpit.build.jobs;

import dev.sandpit.build.cache.ArtifactKey;
import dev.sandpit.build.diagnostics.DiagnosticParser;
import dev.sandpit.build.toolchain.CompileCommand;
import dev.sandpit.build.toolchain.ToolVersions;
import dev.sandpit.bus.EventLog;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.worker.RunSlots;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.CompilerFlags;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.protocol.SourceFile;
import dev.sandpit.protocol.WorkerInfo;
import dev.sandpit.worker.WorkerVerticle;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A build worker: takes compiled-language jobs, compiles them in a sandbox (or finds the artifact
 * in the content-addressed cache all build workers share through Redis), reports a {@code compile}
 * event, and hands the job with its artifact to the executors' queue.
 *
 * <p>The cache key ({@link ArtifactKey}) covers the compiler and its version, the build tool of a
 * make/CMake project and its version, the flags and every file; a hit refreshes the entry's TTL
 * (so the hot entries stay) and is reported as {@code cached: true}. Programs over
 * {@link BuildOptions#cacheMaxBytes} are handed over under a key of their own job instead.
 */
public final class BuildVerticle extends WorkerVerticle {
  private static final Logger log = LoggerFactory.getLogger(BuildVerticle.class);
  private static final long NS_PER_MS = 1_000_000;
  private static final long MS_PER_S = 1000;
  /** How much longer than the compile's wall limit a build may take in all (claim, cache, hand-over). */
  private static final long BUILD_GRACE_MS = 30_000;
  /** An uncached program is kept until its job's queue deadline, and at least this long past it. */
  private static final long MIN_JOB_ARTIFACT_TTL_S = 60;
  /** The executors' queue is trimmed to about this many entries. */
  private static final int EXEC_QUEUE_MAX_ENTRIES = 100_000;

  private final LimitsConfig limits;
  private final long cacheTtlS;
  private final BuildOptions options;
  private volatile ToolVersions versions;
  private Compiler compiler;

  public BuildVerticle(WorkerConfig worker, RedisConfig redis, LimitsConfig limits, RunSlots slots,
      List<WorkerInfo.Toolchain> toolchains, long cacheTtlS) {
    this(worker, redis, limits, slots, toolchains, cacheTtlS, BuildOptions.defaults(), null);
  }

  /** @param versions the compilers' and build tools' versions (null: probed when the verticle starts) */
  public BuildVerticle(WorkerConfig worker, RedisConfig redis, LimitsConfig limits, RunSlots slots,
      List<WorkerInfo.Toolchain> toolchains, long cacheTtlS, BuildOptions options, ToolVersions versions) {
    super(WorkerInfo.BUILD, worker, redis, slots, toolchains);
    this.options = options;
    this.versions = versions;
    this.limits = limits;
    this.cacheTtlS = cacheTtlS;
  }

  @Override
  public Future<?> start() {
    prepare(Keys.BUILD_QUEUE, Keys.BUILD_GROUP, this::onJob);
    compiler = new Compiler(slots, limits.compileWallMs(), limits.compileMemoryMb(), options.jobs());
    Future<Void> probed = versions != null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          versions = ToolVersions.probe();
          return null;
        }, false);
    return probed.compose(v -> goLive());
  }

  private void onJob(String entryId, JobSpec spec) {
    active++;
    build(spec)
        .recover(e -> {
          log.error("job {}: build failed: {}", spec.jobId(), e.toString());
          return emit(ServerEvent.Complete.failed(spec.jobId(), RunStatus.INTERNAL_ERROR, 0L,
              "the build worker failed: " + e.getMessage())).mapEmpty();
        })
        .eventually(() -> consumer.ack(entryId))
        .eventually(() -> redis.send(Request.cmd(Command.DEL).arg(Keys.owner(spec.jobId()))))
        .onComplete(ar -> {
          active--;
          consumer.poke();
        });
  }

  private Future<Void> build(JobSpec spec) {
    Language lang = Languages.find(spec.language());
    if (lang == null || !lang.compiled()) return Future.failedFuture(new IllegalArgumentException("not a compiled language: " + spec.language()));
    if (System.currentTimeMillis() > spec.queueDeadlineMs()) return Future.succeededFuture();
    // the gateway checked compiler and flags; a worker checks again what it takes from the queue
    Language.CompilerVariant cv;
    List<String> flags;
    String refusal = null;
    try {
      cv = CompilerFlags.compiler(lang, spec.compiler());
      flags = CompilerFlags.validate(lang, spec.compilerFlags());
    } catch (ProtocolException e) {
      cv = lang.compiler(null);
      flags = List.of();
      refusal = e.getMessage();
    }
    Language.Project project = lang.project(spec.files());
    String version;
    if (cv != null) {
      version = versions.compiler(lang, cv);
      if (version == null && refusal == null) refusal = "compiler " + cv.id() + " is not installed on this build worker";
      if (project != null && versions.project(project) == null && refusal == null) {
        refusal = project.kind() + " is not installed on this build worker";
      }
    } else {
      version = toolchains.stream().filter(t -> t.id().equals(lang.id())).map(WorkerInfo.Toolchain::version).findFirst().orElse("?");
    }
    String hash = ArtifactKey.of(lang, cv, version, project, project == null ? null : versions.project(project), flags, spec.files());
    String key = Keys.artifact(hash);
    String refused = refusal;
    Language.CompilerVariant compilerVariant = cv;
    long t0 = System.nanoTime();
    // one round trip: has the job ended already (stopped while queued), take it, and look the
    // program up in the cache (EXPIRE answers 1 for a hit and keeps the entry alive)
    List<Request> claim = List.of(Request.cmd(Command.EXISTS).arg(Keys.done(spec.jobId())),
        Request.cmd(Command.SET).arg(Keys.owner(spec.jobId())).arg(worker.workerId()).arg("EX").arg(worker.eventTtlS()),
        refused != null ? Request.cmd(Command.PING) : Request.cmd(Command.EXPIRE).arg(key).arg(cacheTtlS));
    return redis.batch(claim)
        .compose(r -> {
          if (r.get(0).toInteger() == 1) return Future.succeededFuture();
          if (refused != null) return refuse(spec, refused, (System.nanoTime() - t0) / NS_PER_MS);
          if (r.get(2).toInteger() == 1) {
            long ms = (System.nanoTime() - t0) / NS_PER_MS;
            // a hit: the compile event and the hand-over in one pipelined round trip, in this order
            return redis.batch(List.of(
                    EventLog.append(new ServerEvent.Compile(null, spec.jobId(), "ok", List.of(), "", true, ms), worker.eventTtlS()),
                    Request.cmd(Command.SET).arg(Keys.builtArtifact(spec.jobId())).arg(hash).arg("EX").arg(cacheTtlS),
                    handOverRequest(spec, lang, hash)))
                .timeout(redisConfig.timeoutMs(), TimeUnit.MILLISECONDS)
                .<Void>mapEmpty();
          }
          // "started" goes out while the compiler runs; the compile event waits for it, so it comes first
          Future<Void> started = emit(new ServerEvent.Started(null, spec.jobId(), "compile"))
              .onFailure(e -> log.warn("job {}: started event not logged: {}", spec.jobId(), e.getMessage()))
              .<Void>mapEmpty().otherwiseEmpty();
          return vertx.executeBlocking(() -> compiler.compile(spec, lang, compilerVariant, compiler.jobs()), false)
              .compose(res -> started.compose(x -> afterCompile(spec, lang, hash, res, (System.nanoTime() - t0) / NS_PER_MS)));
        })
        .timeout(limits.compileWallMs() + BUILD_GRACE_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * The job's status when its build failed: over the compile's time it is {@code timeout}; a
   * compiler that failed, ran out of memory (a compile-time bomb) or flooded its output is
   * {@code compile_error}.
   */
  static RunStatus completeStatus(RunStatus build) {
    return switch (build) {
      case TIMEOUT -> RunStatus.TIMEOUT;
      case OK, RUNTIME_ERROR, MEMORY_LIMIT, OUTPUT_LIMIT -> RunStatus.COMPILE_ERROR;
      default -> build;
    };
  }

  /** A job the worker will not build: a compile event that says why, then compile_error. */
  private Future<Void> refuse(JobSpec spec, String why, long ms) {
    log.warn("job {}: refused: {}", spec.jobId(), why);
    return emit(new ServerEvent.Compile(null, spec.jobId(), "error", List.of(), why + "\n", false, ms))
        .compose(x -> emit(ServerEvent.Complete.failed(spec.jobId(), RunStatus.COMPILE_ERROR, ms, why)))
        .mapEmpty();
  }

  /** The job's text files by name: diagnostics in them get editor columns. */
  static Map<String, String> texts(List<SourceFile> files) {
    Map<String, String> out = new HashMap<>();
    for (SourceFile f : files) {
      if (f.encoding() == null && f.content() != null) out.put(f.name(), f.content());
    }
    return out;
  }

  private Future<Void> afterCompile(JobSpec spec, Language lang, String hash, CompileResult res, long ms) {
    var run = res.run();
    boolean ok = run.status() == RunStatus.OK && res.problem() == null;
    String output = DiagnosticParser.humanOutput(res.output()) + (res.problem() == null ? "" : res.problem() + "\n");
    var diagnostics = DiagnosticParser.parse(res.output(), texts(spec.files()));
    Future<Long> compileEvent = emit(new ServerEvent.Compile(null, spec.jobId(), ok ? "ok" : "error", diagnostics, output, false, ms));
    if (!ok) {
      RunStatus status = completeStatus(run.status());
      String msg = run.status() == RunStatus.OK ? res.problem() : run.message() != null ? "compile: " + run.message() : "compilation failed";
      return compileEvent.compose(x -> emit(new ServerEvent.Complete(null, spec.jobId(), run.exitCode(), ms, status,
          run.cpuMs(), run.memoryKb(), null, null, msg))).mapEmpty();
    }
    // a program over the cache's cap still goes to the executor, under its job's own short-lived key
    long size = res.artifactBytes();
    boolean cache = size <= options.cacheMaxBytes();
    String stored = cache ? hash : "job-" + spec.jobId();
    long ttl = cache ? cacheTtlS : Math.max(MIN_JOB_ARTIFACT_TTL_S, (spec.queueDeadlineMs() - System.currentTimeMillis()) / MS_PER_S + MIN_JOB_ARTIFACT_TTL_S);
    if (!cache) {
      log.info("job {}: program of {} KB is over the cache's cap of {} KB; not cached", spec.jobId(), size >> 10, options.cacheMaxBytes() >> 10);
    }
    String k = Keys.artifact(stored);
    Request hset = Request.cmd(Command.HSET).arg(k);
    for (Map.Entry<String, byte[]> a : res.artifacts().entrySet()) hset.arg(a.getKey()).arg(Buffer.buffer(a.getValue()));
    // one transaction: an executor reading the key sees the old program or the new one, never none
    List<Request> write = List.of(Request.cmd(Command.MULTI), Request.cmd(Command.DEL).arg(k), hset,
        Request.cmd(Command.EXPIRE).arg(k).arg(ttl), Request.cmd(Command.EXEC));
    return compileEvent
        .compose(x -> redis.batch(write))
        .compose(x -> redis.send(Request.cmd(Command.SET).arg(Keys.builtArtifact(spec.jobId())).arg(stored).arg("EX").arg(ttl)))
        .compose(x -> handOver(spec, lang, stored));
  }

  private Future<Void> handOver(JobSpec spec, Language lang, String hash) {
    return redis.send(handOverRequest(spec, lang, hash)).mapEmpty();
  }

  /**
   * The job goes on to the executors; a build-only job instead says where its program is and
   * completes (the MULTI/EXEC keeps the two together, before the complete event the client waits for).
   */
  private Request handOverRequest(JobSpec spec, Language lang, String hash) {
    if (spec.onlyBuilds()) {
      return EventLog.append(new ServerEvent.Complete(null, spec.jobId(), 0, 0L, RunStatus.OK, null, null, null, null,
          "built " + hash), worker.eventTtlS());
    }
    JobSpec next = spec.withArtifact(hash, CompileCommand.runArgs(lang, spec.files()));
    return Request.cmd(Command.XADD).arg(Keys.EXEC_QUEUE).arg("MAXLEN").arg("~").arg(EXEC_QUEUE_MAX_ENTRIES).arg("*")
        .arg("job").arg(Codec.toJson(next));
  }

  private Future<Long> emit(ServerEvent e) {
    return redis.send(EventLog.append(e, worker.eventTtlS())).map(EventLog::seqOf)
        .timeout(redisConfig.timeoutMs(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<?> stop() {
    return stopWorker();
  }
}
