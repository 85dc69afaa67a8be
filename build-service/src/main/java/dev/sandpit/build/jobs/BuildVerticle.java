package dev.sandpit.build.jobs;

import dev.sandpit.build.cache.ArtifactKey;
import dev.sandpit.build.diagnostics.DiagnosticParser;
import dev.sandpit.build.toolchain.CompileCommand;
import dev.sandpit.bus.EventLog;
import dev.sandpit.bus.Heartbeat;
import dev.sandpit.bus.QueueConsumer;
import dev.sandpit.bus.RedisLink;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.executor.jobs.RunSlots;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.protocol.WorkerInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A build worker: takes compiled-language jobs, compiles them in a sandbox (or finds the artifact
 * in the content-addressed cache all build workers share through Redis), reports a {@code compile}
 * event, and hands the job with its artifact to the executors' queue.
 */
public final class BuildVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(BuildVerticle.class);

  private final WorkerConfig worker;
  private final RedisConfig redisConfig;
  private final LimitsConfig limits;
  private final RunSlots slots;
  private final List<WorkerInfo.Toolchain> toolchains;
  private final long cacheTtlS;
  private final long startedAt = System.currentTimeMillis();
  private Redis redis;
  private Heartbeat heartbeat;
  private QueueConsumer consumer;
  private Compiler compiler;
  private HttpServer health;
  private volatile int active;
  private volatile boolean draining;

  public BuildVerticle(WorkerConfig worker, RedisConfig redis, LimitsConfig limits, RunSlots slots,
      List<WorkerInfo.Toolchain> toolchains, long cacheTtlS) {
    this.worker = worker;
    this.redisConfig = redis;
    this.limits = limits;
    this.slots = slots;
    this.toolchains = toolchains;
    this.cacheTtlS = cacheTtlS;
  }

  @Override
  public Future<?> start() {
    redis = redisConfig.client(vertx, 16);
    RedisLink reader = new RedisLink(vertx, redis, QueueConsumer.readerTimeoutMs(redisConfig.timeoutMs()), "build-queue");
    heartbeat = new Heartbeat(vertx, redis, this::info, worker.heartbeatIntervalMs(), worker.heartbeatTtlMs(), redisConfig.timeoutMs());
    consumer = new QueueConsumer(vertx, redis, reader, Keys.BUILD_QUEUE, Keys.BUILD_GROUP, worker.workerId(),
        () -> draining ? 0 : slots.size() - active, this::onJob, redisConfig.timeoutMs());
    compiler = new Compiler(slots, limits.compileWallMs(), limits.compileMemoryMb());
    return heartbeat.start()
        .compose(v -> consumer.start())
        .compose(v -> startHealth())
        .onSuccess(v -> log.info("build worker {} ready: {} slots, languages {}", worker.workerId(), slots.size(),
            toolchains.stream().map(WorkerInfo.Toolchain::id).toList()));
  }

  private Future<Void> startHealth() {
    if (worker.healthPort() <= 0) return Future.succeededFuture();
    health = vertx.createHttpServer().requestHandler(req -> {
      boolean ok = heartbeat.healthy();
      req.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "application/json")
          .end(new JsonObject().put("status", ok ? "ok" : "redis_unreachable").put("id", worker.workerId())
              .put("kind", WorkerInfo.BUILD).put("busy", active).put("slots", slots.size()).encode());
    });
    return health.listen(worker.healthPort(), "0.0.0.0").mapEmpty();
  }

  private void onJob(String entryId, String json) {
    JobSpec spec;
    try {
      spec = Codec.fromJson(json, JobSpec.class);
    } catch (RuntimeException e) {
      log.error("build entry {} is not a job: {}", entryId, e.getMessage());
      consumer.ack(entryId);
      return;
    }
    active++;
    build(spec)
        .recover(e -> {
          log.error("job {}: build failed: {}", spec.jobId(), e.toString());
          return emit(new ServerEvent.Complete(null, spec.jobId(), null, 0L, RunStatus.INTERNAL_ERROR, null, null, null, null,
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
    String version = toolchains.stream().filter(t -> t.id().equals(lang.id())).map(WorkerInfo.Toolchain::version).findFirst().orElse("?");
    List<String> flags = spec.compilerFlags() == null ? List.of() : spec.compilerFlags();
    String hash = ArtifactKey.of(lang.id(), version, lang.compile(), flags, spec.files());
    String key = Keys.artifact(hash);
    long t0 = System.nanoTime();
    return redis.send(Request.cmd(Command.EXISTS).arg(Keys.done(spec.jobId())))
        .compose(done -> {
          if (done.toInteger() == 1) return Future.succeededFuture();
          return redis.send(Request.cmd(Command.SET).arg(Keys.owner(spec.jobId())).arg(worker.workerId()).arg("EX").arg(worker.eventTtlS()))
              .compose(x -> redis.send(Request.cmd(Command.EXPIRE).arg(key).arg(cacheTtlS)))
              .compose(hit -> {
                if (hit.toInteger() == 1) {
                  long ms = (System.nanoTime() - t0) / 1_000_000;
                  return emit(new ServerEvent.Compile(null, spec.jobId(), "ok", List.of(), "", true, ms))
                      .compose(x -> handOver(spec, lang, hash));
                }
                return vertx.executeBlocking(() -> compiler.compile(spec, lang), false)
                    .compose(res -> afterCompile(spec, lang, hash, res, (System.nanoTime() - t0) / 1_000_000));
              });
        })
        .timeout(limits.compileWallMs() + 30_000, TimeUnit.MILLISECONDS);
  }

  private Future<Void> afterCompile(JobSpec spec, Language lang, String hash, CompileResult res, long ms) {
    var run = res.run();
    boolean ok = run.status() == RunStatus.OK && res.problem() == null;
    String output = res.output() + (res.problem() == null ? "" : res.problem() + "\n");
    var diagnostics = DiagnosticParser.parse(res.output());
    Future<Long> compileEvent = emit(new ServerEvent.Compile(null, spec.jobId(), ok ? "ok" : "error", diagnostics, output, false, ms));
    if (!ok) {
      RunStatus status = switch (run.status()) {
        case TIMEOUT -> RunStatus.TIMEOUT;
        case OK, RUNTIME_ERROR, MEMORY_LIMIT, OUTPUT_LIMIT -> RunStatus.COMPILE_ERROR;
        default -> run.status();
      };
      String msg = run.status() == RunStatus.OK ? res.problem() : run.message() != null ? "compile: " + run.message() : "compilation failed";
      return compileEvent.compose(x -> emit(new ServerEvent.Complete(null, spec.jobId(), run.exitCode(), ms, status,
          run.cpuMs(), run.memoryKb(), null, null, msg))).mapEmpty();
    }
    Request hset = Request.cmd(Command.HSET).arg(Keys.artifact(hash));
    for (Map.Entry<String, byte[]> a : res.artifacts().entrySet()) hset.arg(a.getKey()).arg(Buffer.buffer(a.getValue()));
    return compileEvent
        .compose(x -> redis.send(Request.cmd(Command.DEL).arg(Keys.artifact(hash))))
        .compose(x -> redis.send(hset))
        .compose(x -> redis.send(Request.cmd(Command.EXPIRE).arg(Keys.artifact(hash)).arg(cacheTtlS)))
        .compose(x -> handOver(spec, lang, hash));
  }

  private Future<Void> handOver(JobSpec spec, Language lang, String hash) {
    JobSpec next = spec.withArtifact(hash, CompileCommand.runArgs(lang, spec.files()));
    return redis.send(Request.cmd(Command.XADD).arg(Keys.EXEC_QUEUE).arg("MAXLEN").arg("~").arg(100_000).arg("*")
            .arg("job").arg(Codec.toJson(next)))
        .mapEmpty();
  }

  private Future<Long> emit(ServerEvent e) {
    return redis.send(EventLog.append(e, worker.eventTtlS())).map(EventLog::seqOf)
        .timeout(redisConfig.timeoutMs(), TimeUnit.MILLISECONDS);
  }

  public Future<Void> drain() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      draining = true;
      consumer.stop();
      heartbeat.beat();
      long deadline = System.currentTimeMillis() + worker.drainTimeoutMs();
      vertx.setPeriodic(50, t -> {
        if (active == 0 || System.currentTimeMillis() > deadline) {
          vertx.cancelTimer(t);
          p.complete();
        }
      });
    });
    return p.future();
  }

  @Override
  public Future<?> stop() {
    consumer.stop();
    return heartbeat.stop().recover(e -> Future.succeededFuture())
        .compose(v -> health == null ? Future.succeededFuture() : health.close());
  }

  WorkerInfo info() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown";
    }
    return new WorkerInfo(worker.workerId(), WorkerInfo.BUILD, host, ManagementFactory.getRuntimeMXBean().getPid(),
        slots.size(), active, draining, slots.sandbox().name(), toolchains, startedAt, System.currentTimeMillis());
  }
}
