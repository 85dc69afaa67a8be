package dev.sandpit.build.jobs;

import dev.sandpit.build.toolchain.ToolVersions;
import dev.sandpit.bus.EventLog;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.Settings;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.worker.Toolchains;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real build worker for tests and the benchmark: a private redis-server, real sandbox slots, the
 * {@link BuildVerticle} on its own Vert.x, and a client that queues jobs as the gateway does and
 * reads what the worker logged and handed to the executors.
 */
public final class BuildWorker implements AutoCloseable {
  public final RedisServer redisServer;
  public final BuildSandbox sandbox;
  public final Vertx vertx;
  public final Redis redis;
  public final BuildVerticle verticle;

  /** What the worker did with one job. */
  public record Outcome(List<ServerEvent> events, JobSpec handedOver, long millis) {
    public ServerEvent.Compile compile() {
      return events.stream().filter(e -> e instanceof ServerEvent.Compile).map(e -> (ServerEvent.Compile) e).findFirst().orElse(null);
    }

    public ServerEvent.Complete complete() {
      return events.stream().filter(e -> e instanceof ServerEvent.Complete).map(e -> (ServerEvent.Complete) e).findFirst().orElse(null);
    }
  }

  public BuildWorker(int uidBase, int slots, BuildOptions options, long compileWallMs) throws Exception {
    redisServer = RedisServer.start();
    sandbox = new BuildSandbox(uidBase, slots, 100 * options.jobs(), 64);
    Map<String, String> env = new HashMap<>();
    env.put(RedisConfig.URL, redisServer.url());
    env.put(LimitsConfig.COMPILE_WALL_MS, Long.toString(compileWallMs));
    env.put(WorkerConfig.HEARTBEAT_INTERVAL_MS, "250");
    Settings s = new Settings(env);
    vertx = Vertx.vertx();
    redis = RedisConfig.from(s).client(vertx, 4);
    verticle = new BuildVerticle(WorkerConfig.from(s, "build", "SANDPIT_BUILD_SLOTS", slots), RedisConfig.from(s), LimitsConfig.from(s),
        sandbox.slots, Toolchains.probe(true), 3600, options, ToolVersions.probe());
    vertx.deployVerticle(verticle).await(60, TimeUnit.SECONDS);
  }

  /** Queue the job as the gateway does (accepted logged, then the build queue). */
  public void submit(JobSpec spec) throws Exception {
    redis.send(EventLog.acceptAndEnqueue(new ServerEvent.Accepted(null, spec.jobId(), null, spec.language()), 600,
        Keys.BUILD_QUEUE, Codec.toJson(spec))).await(10, TimeUnit.SECONDS);
  }

  /** Queue the job and wait until the worker completed it or handed it to the executors. */
  public Outcome build(JobSpec spec, long timeoutMs) throws Exception {
    String execFrom = lastExecId();
    long t0 = System.nanoTime();
    submit(spec);
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      // the hand-over first: the worker logs compile before it hands over, so the events read after include it
      JobSpec handed = handedOver(spec.jobId(), execFrom);
      List<ServerEvent> events = events(spec.jobId());
      boolean completed = events.stream().anyMatch(e -> e instanceof ServerEvent.Complete);
      if (handed != null || completed) return new Outcome(events, handed, (System.nanoTime() - t0) / 1_000_000);
      if (System.currentTimeMillis() > deadline) throw new AssertionError("job " + spec.jobId() + " not built in " + timeoutMs + " ms: " + events);
      // block (no sleep) until the worker logs an event for the job or queues something for the executors
      redis.send(Request.cmd(Command.XREAD).arg("BLOCK").arg(1000).arg("STREAMS").arg(Keys.events(spec.jobId())).arg(Keys.EXEC_QUEUE)
          .arg("0-" + events.size()).arg(execFrom)).await(5, TimeUnit.SECONDS);
    }
  }

  /** The id of the last entry of the executors' queue ("0-0" when empty). */
  private String lastExecId() throws Exception {
    Response r = redis.send(Request.cmd(Command.XREVRANGE).arg(Keys.EXEC_QUEUE).arg("+").arg("-").arg("COUNT").arg(1))
        .await(10, TimeUnit.SECONDS);
    return r == null || r.size() == 0 ? "0-0" : r.get(0).get(0).toString();
  }

  public List<ServerEvent> events(String jobId) throws Exception {
    Response r = redis.send(EventLog.readAfter(jobId, 0, 1000)).await(10, TimeUnit.SECONDS);
    List<ServerEvent> out = new ArrayList<>();
    for (String json : EventLog.entries(r)) out.add(Codec.decodeEvent(json));
    return out;
  }

  /** The job as the worker put it on the executors' queue, or null. */
  public JobSpec handedOver(String jobId) throws Exception {
    return handedOver(jobId, "0-0");
  }

  /** The job as the worker put it on the executors' queue after entry {@code from}, or null. */
  public JobSpec handedOver(String jobId, String from) throws Exception {
    Response r = redis.send(Request.cmd(Command.XRANGE).arg(Keys.EXEC_QUEUE).arg("(" + from).arg("+")).await(10, TimeUnit.SECONDS);
    if (r == null) return null;
    for (Response entry : r) {
      Response fields = entry.get(1);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if (!"job".equals(fields.get(i).toString())) continue;
        JobSpec j = Codec.fromJson(fields.get(i + 1).toString(), JobSpec.class);
        if (j.jobId().equals(jobId)) return j;
      }
    }
    return null;
  }

  public Response send(Request r) throws Exception {
    return redis.send(r).await(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } finally {
      sandbox.close();
      redisServer.close();
    }
  }
}
