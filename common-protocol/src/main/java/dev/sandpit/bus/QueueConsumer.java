package dev.sandpit.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs from a Redis stream through a consumer group, never more than there is room for:
 * each entry is read by exactly one consumer of the group and stays pending (visible to the
 * reaper) until the consumer acknowledges it. Survives Redis restarts by re-creating the group.
 */
public final class QueueConsumer {
  private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);
  private static final long BLOCK_MS = 1000;

  private final Vertx vertx;
  private final RedisLink reader;
  private final Redis redis;
  private final String stream;
  private final String group;
  private final String consumer;
  private final IntSupplier room;
  private final BiConsumer<String, String> handler;
  private final long timeoutMs;
  private volatile boolean running;
  private boolean looping;
  /** The wait before retrying a failed read, doubled on each failure up to {@link #MAX_BACKOFF_MS}. */
  static final long FIRST_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 2000;
  private long backoffMs = FIRST_BACKOFF_MS;

  /**
   * @param room how many more jobs the worker can take now (0 pauses reading)
   * @param handler called on the consumer's context with (entry id, job json)
   */
  public QueueConsumer(Vertx vertx, Redis redis, RedisLink reader, String stream, String group, String consumer,
      IntSupplier room, BiConsumer<String, String> handler, long timeoutMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.reader = reader;
    this.stream = stream;
    this.group = group;
    this.consumer = consumer;
    this.room = room;
    this.handler = handler;
    this.timeoutMs = timeoutMs;
  }

  public Future<Void> start() {
    running = true;
    return ensureGroup().onSuccess(v -> loop());
  }

  public void stop() {
    running = false;
  }

  /** Wake the loop after room was freed (cheap when it is already reading). */
  public void poke() {
    if (running && !looping) vertx.runOnContext(v -> loop());
  }

  public Future<Void> ack(String entryId) {
    return redis.send(Request.cmd(Command.XACK).arg(stream).arg(group).arg(entryId))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  private Future<Void> ensureGroup() {
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(group).arg("0").arg("MKSTREAM"))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(e -> String.valueOf(e.getMessage()).contains("BUSYGROUP") ? Future.succeededFuture() : Future.failedFuture(e));
  }

  private void loop() {
    if (!running || looping) return;
    int n = room.getAsInt();
    if (n <= 0) return; // poke() resumes
    looping = true;
    reader.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(consumer)
            .arg("COUNT").arg(n).arg("BLOCK").arg(BLOCK_MS).arg("STREAMS").arg(stream).arg(">"))
        .onComplete(ar -> {
          looping = false;
          if (ar.failed()) {
            String msg = String.valueOf(ar.cause().getMessage());
            if (running) log.warn("{}: read failed: {}; retrying in {} ms", stream, msg, backoffMs);
            long delay = backoffMs;
            backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
            vertx.setTimer(delay, t -> (msg.contains("NOGROUP") ? ensureGroup() : Future.<Void>succeededFuture())
                .onComplete(x -> loop()));
            return;
          }
          backoffMs = FIRST_BACKOFF_MS;
          dispatch(ar.result());
          loop();
        });
  }

  private void dispatch(Response r) {
    if (r == null) return;
    // RESP2: [[stream, [[id, [f, v]]...]]]; RESP3: {stream: [[id, [f, v]]...]}
    Response entries = null;
    if (r.isMap()) {
      entries = r.get(stream);
    } else if (r.size() > 0) {
      entries = r.get(0).get(1);
    }
    if (entries == null) return;
    for (Response e : entries) {
      String id = e.get(0).toString();
      Response fields = e.get(1);
      String job = null;
      for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
        if ("job".equals(fields.get(i).toString())) job = fields.get(i + 1).toString();
      }
      try {
        handler.accept(id, job);
      } catch (RuntimeException ex) {
        log.error("{}: handler failed for entry {}", stream, id, ex);
      }
    }
  }

  /** Timeout for the blocking read's connection: the block time plus the command timeout. */
  public static long readerTimeoutMs(long timeoutMs) {
    return BLOCK_MS + timeoutMs;
  }
}
