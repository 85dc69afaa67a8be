package dev.sandpit.bus;

import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.WorkerInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces a worker: every {@code intervalMs} its {@link WorkerInfo} is written to a key that
 * expires after {@code ttlMs}. A worker killed with -9 stops beating and its key vanishes; that is
 * how its unfinished jobs are found.
 */
public final class Heartbeat {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final Vertx vertx;
  private final Redis redis;
  private final Supplier<WorkerInfo> info;
  private final long intervalMs;
  private final long ttlMs;
  private final long timeoutMs;
  private long timer = -1;
  private volatile boolean healthy;

  public Heartbeat(Vertx vertx, Redis redis, Supplier<WorkerInfo> info, long intervalMs, long ttlMs, long timeoutMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.info = info;
    this.intervalMs = intervalMs;
    this.ttlMs = ttlMs;
    this.timeoutMs = timeoutMs;
  }

  public Future<Void> start() {
    Future<Void> first = beat();
    timer = vertx.setPeriodic(intervalMs, t -> beat());
    return first;
  }

  /** Whether the last beat reached Redis: the worker's health signal. */
  public boolean healthy() {
    return healthy;
  }

  public Future<Void> beat() {
    WorkerInfo w = info.get();
    return redis.send(Request.cmd(Command.SET).arg(Keys.workerHeartbeat(w.id())).arg(Codec.toJson(w)).arg("PX").arg(ttlMs))
        .compose(r -> redis.send(Request.cmd(Command.SADD).arg(Keys.WORKERS).arg(w.id())))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .andThen(ar -> {
          if (ar.failed() && healthy) log.warn("heartbeat of {} failed: {}", w.id(), ar.cause().getMessage());
          healthy = ar.succeeded();
        });
  }

  public Future<Void> stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    WorkerInfo w = info.get();
    return redis.send(Request.cmd(Command.DEL).arg(Keys.workerHeartbeat(w.id())))
        .compose(r -> redis.send(Request.cmd(Command.SREM).arg(Keys.WORKERS).arg(w.id())))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .mapEmpty();
  }
}
