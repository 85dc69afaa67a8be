package dev.sandpit.gateway.jobs;

import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.WorkerInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The live workers, as their heartbeats say, refreshed every second. */
public final class Fleet {
  private static final Logger log = LoggerFactory.getLogger(Fleet.class);

  private final Vertx vertx;
  private final Redis redis;
  private final long timeoutMs;
  private volatile List<WorkerInfo> workers = List.of();
  private volatile boolean known;
  private long timer = -1;

  public Fleet(Vertx vertx, Redis redis, long timeoutMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  public Future<Void> start() {
    timer = vertx.setPeriodic(1000, t -> refresh());
    return refresh().recover(e -> Future.succeededFuture());
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  public Future<Void> refresh() {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(Keys.WORKERS))
        .compose(ids -> {
          List<String> list = new ArrayList<>();
          for (Response r : ids) list.add(r.toString());
          if (list.isEmpty()) return Future.succeededFuture(List.<WorkerInfo>of());
          Request mget = Request.cmd(Command.MGET);
          list.forEach(id -> mget.arg(Keys.workerHeartbeat(id)));
          return redis.send(mget).map(vals -> {
            List<WorkerInfo> live = new ArrayList<>();
            List<String> dead = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
              Response v = vals.get(i);
              if (v == null) {
                dead.add(list.get(i));
              } else {
                try {
                  live.add(Codec.fromJson(v.toString(), WorkerInfo.class));
                } catch (RuntimeException e) {
                  dead.add(list.get(i));
                }
              }
            }
            if (!dead.isEmpty()) {
              Request srem = Request.cmd(Command.SREM).arg(Keys.WORKERS);
              dead.forEach(srem::arg);
              redis.send(srem).onFailure(e -> log.debug("srem: {}", e.toString()));
            }
            return live;
          });
        })
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onSuccess(l -> {
          workers = List.copyOf(l);
          known = true;
        })
        .mapEmpty();
  }

  public List<WorkerInfo> workers() {
    return workers;
  }

  /** Whether the language can run now; true while nothing is known (a job may wait for workers). */
  public boolean serves(Language lang) {
    List<WorkerInfo> w = workers;
    if (!known || w.isEmpty()) return true;
    boolean exec = has(w, WorkerInfo.EXECUTOR, lang.id());
    return lang.compiled() ? exec && has(w, WorkerInfo.BUILD, lang.id()) : exec;
  }

  private static boolean has(List<WorkerInfo> ws, String kind, String lang) {
    for (WorkerInfo w : ws) {
      // a draining worker still counts: during a rolling restart its replacement takes the job
      if (w.kind().equals(kind) && w.languages().stream().anyMatch(t -> t.id().equals(lang))) return true;
    }
    return false;
  }

  /** The languages the live fleet serves: name, version, worker kinds; for GET /api/languages. */
  public List<Map<String, Object>> languages() {
    List<WorkerInfo> ws = workers;
    List<Map<String, Object>> out = new ArrayList<>();
    for (Language l : Languages.all()) {
      TreeSet<String> kinds = new TreeSet<>();
      String version = null;
      int executors = 0;
      for (WorkerInfo w : ws) {
        for (WorkerInfo.Toolchain t : w.languages()) {
          if (!t.id().equals(l.id())) continue;
          kinds.add(w.kind());
          if (w.kind().equals(WorkerInfo.EXECUTOR)) executors++;
          if (version == null || (l.compiled() == w.kind().equals(WorkerInfo.BUILD))) version = t.version();
        }
      }
      boolean available = kinds.contains(WorkerInfo.EXECUTOR) && (!l.compiled() || kinds.contains(WorkerInfo.BUILD));
      if (!available) continue;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", l.id());
      m.put("display", l.display());
      m.put("version", version);
      m.put("compiled", l.compiled());
      m.put("aliases", l.aliases());
      m.put("main", l.main()); // the main file's conventional name, e.g. main.py, Main.java
      m.put("kinds", List.copyOf(kinds));
      m.put("executors", executors);
      out.add(m);
    }
    return out;
  }
}
