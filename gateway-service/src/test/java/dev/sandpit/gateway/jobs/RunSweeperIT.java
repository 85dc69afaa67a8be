package dev.sandpit.gateway.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandpit.bus.EventLog;
import dev.sandpit.config.Settings;
import dev.sandpit.gateway.store.FileWrite;
import dev.sandpit.gateway.store.RunRecord;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreConfig;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs whose recording gateway vanished get their end from the job's log (real Redis, real SQLite). */
class RunSweeperIT {
  static RedisServer server;
  static Vertx vertx;
  static Redis redis;
  static Store store;

  @BeforeAll
  static void up() throws Exception {
    server = RedisServer.start();
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
    Path dir = Files.createTempDirectory("sweeper-");
    store = Store.open(StoreConfig.from(new Settings(Map.of(StoreConfig.DATA_DIR, dir.toString()))));
  }

  @AfterAll
  static void down() throws Exception {
    store.close();
    vertx.close().await(5, TimeUnit.SECONDS);
    server.close();
  }

  static void open(String sessionId, String owner, String runId) {
    String snap = store.putBlob("{}".getBytes());
    store.startRun(new RunRecord(runId, sessionId, owner, "python", snap, null, System.currentTimeMillis() - 10_000,
        null, null, null, null, null, null, 0, false, 0));
  }

  @Test
  void anOverdueRunIsClosedFromItsLogOrAsExecutorLost() throws Exception {
    String owner = store.createUser("sweep" + System.nanoTime(), null, true).id();
    String session = store.createSession(owner, "s", "python", List.of(new FileWrite("main.py", "print(1)".getBytes(), false))).id();
    String logged = "a".repeat(32), lost = "b".repeat(32);
    open(session, owner, logged);
    open(session, owner, lost);
    redis.send(EventLog.append(new ServerEvent.Accepted(null, logged, null, "python"), 60)).await(5, TimeUnit.SECONDS);
    redis.send(EventLog.append(new ServerEvent.Output(null, logged, "stdout", "1\n"), 60)).await(5, TimeUnit.SECONDS);
    redis.send(EventLog.append(new ServerEvent.Complete(null, logged, 0, 12L, RunStatus.OK, 3L, 900L, null, null, null), 60))
        .await(5, TimeUnit.SECONDS);
    int closed = new RunSweeper(vertx, store, redis, 1000, 60_000).sweep().await(20, TimeUnit.SECONDS);
    assertEquals(2, closed);
    RunRecord a = store.run(logged).orElseThrow();
    assertEquals("ok", a.status());
    assertEquals(0, a.exitCode());
    assertEquals(12L, a.wallMs());
    assertEquals("1\n", store.chunks(logged).get(0).data());
    assertEquals("executor_lost", store.run(lost).orElseThrow().status());
    assertEquals(0, (int) new RunSweeper(vertx, store, redis, 1000, 60_000).sweep().await(20, TimeUnit.SECONDS), "nothing left to close");
  }
}
