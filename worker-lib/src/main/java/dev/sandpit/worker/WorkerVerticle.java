package dev.sandpit.worker;

import dev.sandpit.bus.Heartbeat;
import dev.sandpit.bus.QueueConsumer;
import dev.sandpit.bus.RedisLink;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.WorkerInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every worker (executor, build worker) shares: the heartbeat that announces it and its
 * toolchains, the consumer that takes jobs while it has free slots, its /health, and draining on
 * SIGTERM (no new jobs; done when the running ones have finished).
 */
public abstract class WorkerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);
  static final int REDIS_POOL_SIZE = 16;
  /** How often a drain looks whether the running jobs have finished. */
  static final long DRAIN_POLL_MS = 50;

  protected final String kind;
  protected final WorkerConfig worker;
  protected final RedisConfig redisConfig;
  protected final RunSlots slots;
  protected final List<WorkerInfo.Toolchain> toolchains;
  private final long startedAt = System.currentTimeMillis();
  protected Redis redis;
  protected Heartbeat heartbeat;
  protected QueueConsumer consumer;
  private HttpServer health;
  protected volatile int active;
  protected volatile boolean draining;

  protected WorkerVerticle(String kind, WorkerConfig worker, RedisConfig redis, RunSlots slots, List<WorkerInfo.Toolchain> toolchains) {
    this.kind = kind;
    this.worker = worker;
    this.redisConfig = redis;
    this.slots = slots;
    this.toolchains = toolchains;
  }

  /**
   * The Redis client, heartbeat and queue consumer; call first in {@code start()}. {@code onJob}
   * gets each entry decoded; one that is not a job is logged and acknowledged here (nothing can run it).
   */
  protected void prepare(String queue, String group, BiConsumer<String, JobSpec> onJob) {
    redis = redisConfig.client(vertx, REDIS_POOL_SIZE);
    RedisLink reader = new RedisLink(vertx, redis, QueueConsumer.readerTimeoutMs(redisConfig.timeoutMs()), kind + "-queue");
    heartbeat = new Heartbeat(vertx, redis, this::info, worker.heartbeatIntervalMs(), worker.heartbeatTtlMs(), redisConfig.timeoutMs());
    consumer = new QueueConsumer(vertx, redis, reader, queue, group, worker.workerId(),
        () -> draining ? 0 : slots.size() - active, (entryId, json) -> decode(entryId, json, onJob), redisConfig.timeoutMs());
  }

  private void decode(String entryId, String json, BiConsumer<String, JobSpec> onJob) {
    JobSpec spec;
    try {
      spec = Codec.fromJson(json, JobSpec.class);
    } catch (RuntimeException e) {
      log.error("{} queue entry {} is not a job: {}", kind, entryId, e.getMessage());
      consumer.ack(entryId);
      return;
    }
    onJob.accept(entryId, spec);
  }

  /** Announce the worker, start taking jobs, serve /health: the end of {@code start()}. */
  protected Future<Void> goLive() {
    return heartbeat.start()
        .compose(v -> consumer.start())
        .compose(v -> startHealth())
        .onSuccess(v -> log.info("{} {} ready: {} slots ({} sandbox, cgroup {}), languages {}", kind, worker.workerId(), slots.size(),
            slots.sandbox().name(), slots.cgroupVersion(), toolchains.stream().map(WorkerInfo.Toolchain::id).toList()));
  }

  private Future<Void> startHealth() {
    if (worker.healthPort() <= 0) return Future.succeededFuture();
    health = vertx.createHttpServer().requestHandler(req -> {
      // redis_unreachable and no_slots are 503 (take this worker out); degraded (some slots
      // retired after failing their rebuild) is 200: it still serves, with less capacity
      var retired = slots.retired();
      String status = !heartbeat.healthy() ? "redis_unreachable"
          : slots.size() <= 0 ? "no_slots" : retired.isEmpty() ? "ok" : "degraded";
      boolean ok = status.equals("ok") || status.equals("degraded");
      JsonArray gone = new JsonArray();
      retired.forEach(r -> gone.add(new JsonObject().put("slot", r.slot()).put("reason", r.reason())));
      req.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "application/json")
          .end(new JsonObject().put("status", status).put("id", worker.workerId())
              .put("kind", kind).put("busy", active).put("slots", slots.size()).put("retired", gone)
              .put("sandbox", slots.sandbox().name()).put("cgroup", slots.cgroupVersion())
              .put("quarantines", slots.quarantines()).put("draining", draining).encode());
    });
    return health.listen(worker.healthPort(), "0.0.0.0").mapEmpty();
  }

  /** Stop taking jobs; completes when every running job has finished (or the drain timeout passed). */
  public Future<Void> drain() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      draining = true;
      consumer.stop();
      heartbeat.beat();
      log.info("{} {} draining: {} jobs running", kind, worker.workerId(), active);
      long deadline = System.currentTimeMillis() + worker.drainTimeoutMs();
      vertx.setPeriodic(DRAIN_POLL_MS, t -> {
        if (active == 0 || System.currentTimeMillis() > deadline) {
          vertx.cancelTimer(t);
          p.complete();
        }
      });
    });
    return p.future();
  }

  /** Stop the consumer, withdraw the heartbeat, close /health. */
  protected Future<Void> stopWorker() {
    consumer.stop();
    return heartbeat.stop().recover(e -> Future.succeededFuture())
        .compose(v -> health == null ? Future.succeededFuture() : health.close());
  }

  protected WorkerInfo info() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown";
    }
    return new WorkerInfo(worker.workerId(), kind, host, ManagementFactory.getRuntimeMXBean().getPid(), slots.size(), active,
        slots.retired().size(), draining, slots.sandbox().name(), toolchains, startedAt, System.currentTimeMillis());
  }

  public boolean healthy() {
    return heartbeat != null && heartbeat.healthy();
  }

  public int active() {
    return active;
  }
}
