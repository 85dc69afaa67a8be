package dev.sandpit.executor.jobs;

import dev.sandpit.bus.Heartbeat;
import dev.sandpit.bus.QueueConsumer;
import dev.sandpit.bus.RedisLink;
import dev.sandpit.bus.Subscriber;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.WorkerInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An executor worker: announces itself and its toolchains, takes jobs from the exec queue while
 * it has free slots, runs each in a sandbox and streams its events to Redis. {@link #drain()}
 * stops taking jobs and completes once the running ones have finished.
 */
public final class ExecutorVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ExecutorVerticle.class);

  private final WorkerConfig worker;
  private final RedisConfig redisConfig;
  private final LimitsConfig limits;
  private final RunSlots slots;
  private final List<WorkerInfo.Toolchain> toolchains;
  private final long startedAt = System.currentTimeMillis();
  private final Map<String, JobExecution> jobs = new HashMap<>();
  private Redis redis;
  private RedisLink events;
  private RedisLink reader;
  private Subscriber subscriber;
  private Heartbeat heartbeat;
  private QueueConsumer consumer;
  private HttpServer health;
  private volatile int active;
  private volatile int completed;
  private volatile boolean draining;

  public ExecutorVerticle(WorkerConfig worker, RedisConfig redis, LimitsConfig limits, RunSlots slots,
      List<WorkerInfo.Toolchain> toolchains) {
    this.worker = worker;
    this.redisConfig = redis;
    this.limits = limits;
    this.slots = slots;
    this.toolchains = toolchains;
  }

  @Override
  public Future<?> start() {
    redis = redisConfig.client(vertx, 16);
    events = new RedisLink(vertx, redis, redisConfig.timeoutMs(), "events");
    reader = new RedisLink(vertx, redis, QueueConsumer.readerTimeoutMs(redisConfig.timeoutMs()), "queue");
    subscriber = new Subscriber(vertx, redis, redisConfig.timeoutMs())
        .onReconnect(v -> List.copyOf(jobs.values()).forEach(JobExecution::onReconnect));
    heartbeat = new Heartbeat(vertx, redis, this::info, worker.heartbeatIntervalMs(), worker.heartbeatTtlMs(),
        redisConfig.timeoutMs());
    consumer = new QueueConsumer(vertx, redis, reader, Keys.EXEC_QUEUE, Keys.EXEC_GROUP, worker.workerId(),
        () -> draining ? 0 : slots.size() - active, this::onJob, redisConfig.timeoutMs());
    return subscriber.start()
        .compose(v -> heartbeat.start())
        .compose(v -> consumer.start())
        .compose(v -> startHealth())
        .onSuccess(v -> log.info("executor {} ready: {} slots ({} sandbox), languages {}", worker.workerId(),
            slots.size(), slots.sandbox().name(), toolchains.stream().map(WorkerInfo.Toolchain::id).toList()));
  }

  private Future<Void> startHealth() {
    if (worker.healthPort() <= 0) return Future.succeededFuture();
    health = vertx.createHttpServer().requestHandler(req -> {
      boolean ok = heartbeat.healthy();
      req.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "application/json")
          .end(new JsonObject().put("status", ok ? "ok" : "redis_unreachable").put("id", worker.workerId())
              .put("kind", WorkerInfo.EXECUTOR).put("busy", active).put("slots", slots.size())
              .put("draining", draining).encode());
    });
    return health.listen(worker.healthPort(), "0.0.0.0").mapEmpty();
  }

  private void onJob(String entryId, String json) {
    JobSpec spec;
    try {
      spec = Codec.fromJson(json, JobSpec.class);
    } catch (RuntimeException e) {
      log.error("queue entry {} is not a job: {}", entryId, e.getMessage());
      consumer.ack(entryId);
      return;
    }
    active++;
    JobExecution j = new JobExecution(this, context, entryId, spec);
    jobs.put(spec.jobId(), j);
    j.start();
  }

  void finished(JobExecution j) {
    jobs.remove(j.jobId());
    completed++;
    active--;
    consumer.poke();
  }

  /** Stop taking jobs; completes when every running job has finished (or the timeout passed). */
  public Future<Void> drain() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      draining = true;
      consumer.stop();
      heartbeat.beat();
      log.info("executor {} draining: {} jobs running", worker.workerId(), active);
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
        .compose(v -> subscriber.close().recover(e -> Future.succeededFuture()))
        .compose(v -> health == null ? Future.succeededFuture() : health.close());
  }

  WorkerInfo info() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown";
    }
    return new WorkerInfo(worker.workerId(), WorkerInfo.EXECUTOR, host, ManagementFactory.getRuntimeMXBean().getPid(),
        slots.size(), active, draining, slots.sandbox().name(), toolchains, startedAt, System.currentTimeMillis());
  }

  // accessors for JobExecution
  io.vertx.core.Vertx vertx() {
    return vertx;
  }

  Redis redis() {
    return redis;
  }

  RedisLink events() {
    return events;
  }

  Subscriber subscriber() {
    return subscriber;
  }

  QueueConsumer consumer() {
    return consumer;
  }

  RunSlots slots() {
    return slots;
  }

  LimitsConfig limits() {
    return limits;
  }

  String workerId() {
    return worker.workerId();
  }

  long eventTtlS() {
    return worker.eventTtlS();
  }

  long timeoutMs() {
    return redisConfig.timeoutMs();
  }

  public boolean healthy() {
    return heartbeat != null && heartbeat.healthy();
  }

  /** Jobs this executor took and finished (any verdict). */
  public int completed() {
    return completed;
  }

  public int active() {
    return active;
  }
}
