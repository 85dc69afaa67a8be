package dev.sandpit.gateway.jobs;

import dev.sandpit.bus.EventLog;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds jobs whose worker died: entries pending on a consumer whose heartbeat key has expired. Each
 * is claimed (XCLAIM with a minimum idle time, so of several gateways exactly one wins), ended with
 * {@code executor_lost} (never run again: the program may have had effects) and acknowledged.
 */
public final class Reaper extends Periodic {
  private static final Logger log = LoggerFactory.getLogger(Reaper.class);

  private final Redis redis;
  private final String me;
  private final long timeoutMs;
  private final long eventTtlS;

  public Reaper(Vertx vertx, Redis redis, String me, long intervalMs, long timeoutMs, long eventTtlS) {
    super(vertx, intervalMs);
    this.redis = redis;
    this.me = me;
    this.timeoutMs = timeoutMs;
    this.eventTtlS = eventTtlS;
  }

  /** One pass over both queues; completes with the number of jobs ended (0 when Redis failed it). */
  @Override
  protected Future<Integer> pass() {
    return sweep(Keys.EXEC_QUEUE, Keys.EXEC_GROUP)
        .compose(a -> sweep(Keys.BUILD_QUEUE, Keys.BUILD_GROUP).map(b -> a + b))
        .timeout(timeoutMs * 4, TimeUnit.MILLISECONDS)
        .recover(e -> {
          failed(e);
          return Future.succeededFuture(0);
        });
  }

  @Override
  protected void failed(Throwable cause) {
    // a queue nobody has created yet (no worker started) is not worth a line
    if (!String.valueOf(cause.getMessage()).contains("NOGROUP")) log.debug("reaper: {}", cause.toString());
  }

  private Future<Integer> sweep(String stream, String group) {
    return redis.send(Request.cmd(Command.XPENDING).arg(stream).arg(group).arg("IDLE").arg(intervalMs)
            .arg("-").arg("+").arg(200))
        .compose(pending -> {
          List<String[]> entries = new ArrayList<>(); // id, consumer
          Set<String> consumers = new LinkedHashSet<>();
          for (Response p : pending) {
            String consumer = p.get(1).toString();
            if (consumer.startsWith("reaper-")) continue;
            entries.add(new String[] {p.get(0).toString(), consumer});
            consumers.add(consumer);
          }
          if (entries.isEmpty()) return Future.succeededFuture(0);
          List<String> names = new ArrayList<>(consumers);
          Request exists = Request.cmd(Command.MGET);
          names.forEach(c -> exists.arg(Keys.workerHeartbeat(c)));
          return redis.send(exists).compose(beats -> {
            Set<String> dead = new LinkedHashSet<>();
            for (int i = 0; i < names.size(); i++) if (beats.get(i) == null) dead.add(names.get(i));
            List<Future<Integer>> claims = new ArrayList<>();
            for (String[] e : entries) {
              if (dead.contains(e[1])) claims.add(claim(stream, group, e[0], e[1]));
            }
            return Future.all(claims).map(cf -> {
              int n = 0;
              for (int i = 0; i < claims.size(); i++) n += claims.get(i).result();
              return n;
            });
          });
        });
  }

  private Future<Integer> claim(String stream, String group, String id, String deadConsumer) {
    return redis.send(Request.cmd(Command.XCLAIM).arg(stream).arg(group).arg("reaper-" + me).arg(intervalMs).arg(id))
        .compose(claimed -> {
          if (claimed == null || claimed.size() == 0) return Future.succeededFuture(0); // another gateway won
          Response entry = claimed.get(0);
          String json = null;
          Response fields = entry.get(1);
          for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
            if ("job".equals(fields.get(i).toString())) json = fields.get(i + 1).toString();
          }
          Future<?> ended = Future.succeededFuture();
          if (json != null) {
            JobSpec spec = Codec.fromJson(json, JobSpec.class);
            log.warn("job {}: worker {} is gone; ending the job with executor_lost", spec.jobId(), deadConsumer);
            ended = redis.send(EventLog.append(ServerEvent.Complete.failed(spec.jobId(), RunStatus.EXECUTOR_LOST,
                "the worker running this job (" + deadConsumer + ") stopped; the job was not run again"), eventTtlS));
          }
          return ended.compose(x -> redis.send(Request.cmd(Command.XACK).arg(stream).arg(group).arg(id))).map(1);
        });
  }
}
