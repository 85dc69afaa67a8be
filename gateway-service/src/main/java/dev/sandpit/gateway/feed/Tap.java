package dev.sandpit.gateway.feed;

import dev.sandpit.bus.EventLog;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's view of one job: delivers the job's events to a sink exactly once and in seq
 * order. Live events come from pub/sub; whenever one arrives out of order (a gap: published before
 * we subscribed, or lost while Redis was away) the missing ones are read from the job's event log
 * first. Confined to the gateway's event loop.
 */
public final class Tap {
  private static final Logger log = LoggerFactory.getLogger(Tap.class);
  private static final int PAGE = 1000;

  private final String jobId;
  private final Redis redis;
  private final long timeoutMs;
  private final Handler<String> sink;
  private final Handler<Tap> onComplete;
  private final TreeMap<Long, String> pending = new TreeMap<>();
  private long lastSeq;
  private boolean filling;
  private boolean refill;
  private boolean done;

  public Tap(String jobId, long afterSeq, Redis redis, long timeoutMs, Handler<String> sink, Handler<Tap> onComplete) {
    this.jobId = jobId;
    this.lastSeq = afterSeq;
    this.redis = redis;
    this.timeoutMs = timeoutMs;
    this.sink = sink;
    this.onComplete = onComplete;
  }

  public String jobId() {
    return jobId;
  }

  public long lastSeq() {
    return lastSeq;
  }

  public boolean done() {
    return done;
  }

  /** A live event from pub/sub. */
  public void onEvent(String json) {
    if (done) return;
    long seq = Codec.peekSeq(json);
    if (seq <= lastSeq) return;
    if (!filling && seq == lastSeq + 1) {
      deliver(seq, json);
      drainPending();
      return;
    }
    pending.put(seq, json);
    fill();
  }

  /** Read the log after what was delivered (on attach, after a gap, after a reconnect). */
  public void fill() {
    if (done) return;
    if (filling) {
      refill = true;
      return;
    }
    filling = true;
    redis.send(EventLog.readAfter(jobId, lastSeq, PAGE))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          filling = false;
          if (ar.failed()) {
            log.warn("job {}: reading the event log failed: {}", jobId, ar.cause().getMessage());
            return;
          }
          List<String> events = EventLog.entries(ar.result());
          for (String json : events) {
            long seq = Codec.peekSeq(json);
            if (seq == lastSeq + 1) deliver(seq, json);
          }
          drainPending();
          if (!done && (refill || events.size() == PAGE || (!pending.isEmpty() && !events.isEmpty()))) {
            refill = false;
            fill();
          }
        });
  }

  /** After Redis came back: if it lost the job, end the job for this listener; else catch up. */
  public Future<Void> recover() {
    if (done) return Future.succeededFuture();
    return redis.send(Request.cmd(Command.EXISTS).arg(Keys.seq(jobId)))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(r -> {
          if (done) return null;
          if (r.toInteger() == 0) {
            pending.clear();
            long seq = lastSeq + 1;
            deliver(seq, EventLog.numbered(seq, ServerEvent.Complete.failed(jobId, RunStatus.EXECUTOR_LOST, "Redis restarted and lost this job")));
          } else {
            fill();
          }
          return null;
        });
  }

  private void drainPending() {
    while (!done && !pending.isEmpty()) {
      var first = pending.firstEntry();
      if (first.getKey() <= lastSeq) {
        pending.pollFirstEntry();
      } else if (first.getKey() == lastSeq + 1) {
        pending.pollFirstEntry();
        deliver(first.getKey(), first.getValue());
      } else {
        break;
      }
    }
  }

  private void deliver(long seq, String json) {
    lastSeq = seq;
    sink.handle(json);
    if (EventLog.isComplete(json)) {
      done = true;
      pending.clear();
      onComplete.handle(this);
    }
  }
}
