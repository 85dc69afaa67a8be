package dev.sandpit.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Lua event log against a real redis-server. */
class EventLogIT {
  static RedisServer server;
  static Vertx vertx;
  static Redis redis;

  @BeforeAll
  static void up() throws Exception {
    server = RedisServer.start();
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
  }

  @AfterAll
  static void down() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
    server.close();
  }

  static long append(ServerEvent e) throws Exception {
    return EventLog.seqOf(redis.send(EventLog.append(e, 60)).await(5, TimeUnit.SECONDS));
  }

  @Test
  void eventsAreNumberedFromOneAndReadBackAfterAnySeq() throws Exception {
    String job = UUID.randomUUID().toString();
    assertEquals(1, append(new ServerEvent.Accepted(null, job, "r", "python")));
    for (int i = 0; i < 5; i++) assertEquals(i + 2, append(new ServerEvent.Output(null, job, "stdout", "line " + i + "\n")));
    List<String> after3 = EventLog.entries(redis.send(EventLog.readAfter(job, 3, 100)).await(5, TimeUnit.SECONDS));
    assertEquals(3, after3.size());
    assertEquals(4, Codec.peekSeq(after3.get(0)));
    ServerEvent.Output o = (ServerEvent.Output) Codec.decodeEvent(after3.get(0));
    assertEquals("line 2\n", o.data());
    assertEquals(4L, o.seq());
    List<String> page = EventLog.entries(redis.send(EventLog.readAfter(job, 0, 2)).await(5, TimeUnit.SECONDS));
    assertEquals(2, page.size());
  }

  @Test
  void afterCompleteEveryLaterEventIsDroppedSoAJobEndsExactlyOnce() throws Exception {
    String job = UUID.randomUUID().toString();
    append(new ServerEvent.Accepted(null, job, null, "python"));
    assertEquals(2, append(new ServerEvent.Complete(null, job, 0, 5L, RunStatus.OK, 1L, 1L, null, null, null)));
    assertEquals(0, append(new ServerEvent.Complete(null, job, null, null, RunStatus.EXECUTOR_LOST, null, null, null, null, "late reaper")));
    assertEquals(0, append(new ServerEvent.Output(null, job, "stdout", "late")));
    List<String> all = EventLog.entries(redis.send(EventLog.readAfter(job, 0, 100)).await(5, TimeUnit.SECONDS));
    assertEquals(2, all.size());
    assertTrue(all.get(1).contains("\"status\":\"ok\""));
  }

  @Test
  void anEventNumberedByAReaderIsWhatTheLogWouldHaveStoredAndOnlyACompleteReadsAsTheEnd() throws Exception {
    String job = UUID.randomUUID().toString();
    append(new ServerEvent.Accepted(null, job, null, "python"));
    append(new ServerEvent.Output(null, job, "stdout", "\"type\":\"complete\""));
    ServerEvent.Complete lost = ServerEvent.Complete.failed(job, RunStatus.EXECUTOR_LOST, "gone");
    assertEquals(3, append(lost));
    List<String> all = EventLog.entries(redis.send(EventLog.readAfter(job, 0, 100)).await(5, TimeUnit.SECONDS));
    assertEquals(all.get(2), EventLog.numbered(3, lost));
    assertEquals(List.of(false, false, true), all.stream().map(EventLog::isComplete).toList());
  }

  @Test
  void inputIsNumberedWithTheOutputBeforeItReachesTheProgramAndNotLoggedBeforeAcceptedOrAfterComplete() throws Exception {
    String job = UUID.randomUUID().toString();
    ServerEvent.By ada = new ServerEvent.By("u1", "ada");
    assertEquals(-1, redis.send(InputLog.appendInput(job, "early\n", ada, 60)).await(5, TimeUnit.SECONDS).toLong(), "typed ahead of accepted");
    assertEquals(1, append(new ServerEvent.Accepted(null, job, null, "python")));
    assertEquals(2, append(new ServerEvent.Output(null, job, "stdout", "Name? ")));
    assertEquals(3, redis.send(InputLog.appendInput(job, "Ada\n", ada, 60)).await(5, TimeUnit.SECONDS).toLong());
    assertEquals(4, append(new ServerEvent.Output(null, job, "stdout", "Hi Ada\n")));
    List<String> all = EventLog.entries(redis.send(EventLog.readAfter(job, 0, 100)).await(5, TimeUnit.SECONDS));
    ServerEvent.Input in = (ServerEvent.Input) Codec.decodeEvent(all.get(2));
    assertEquals(new ServerEvent.Input(3L, job, "Ada\n", ada), in);
    assertTrue(all.get(2).startsWith("{\"seq\":3,\"type\":\"input\","), all.get(2));
    // both inputs reached the program's input stream, in order
    List<InputLog.Entry> typed = InputLog.entries(redis.send(InputLog.readAfter(job, null)).await(5, TimeUnit.SECONDS));
    assertEquals(List.of("early\n", "Ada\n"), typed.stream().map(e -> ((dev.sandpit.protocol.ClientMessage.InputResponse) e.message()).data()).toList());
    append(new ServerEvent.Complete(null, job, 0, 5L, RunStatus.OK, 1L, 1L, null, null, null));
    assertEquals(0, redis.send(InputLog.appendInput(job, "late\n", ada, 60)).await(5, TimeUnit.SECONDS).toLong());
  }

  @Test
  void theLogExpires() throws Exception {
    String job = UUID.randomUUID().toString();
    append(new ServerEvent.Accepted(null, job, null, "python"));
    long ttl = redis.send(Request.cmd(Command.TTL).arg(Keys.events(job))).await(5, TimeUnit.SECONDS).toLong();
    assertTrue(ttl > 0 && ttl <= 60, "ttl " + ttl);
  }

  @Test
  void eachEventIsPublishedOnTheChannelOfItsTypeWithItsSeq() throws Exception {
    String job = UUID.randomUUID().toString();
    List<String> got = new ArrayList<>();
    Subscriber sub = new Subscriber(vertx, redis, 2000);
    vertx.runOnContext(v -> {});
    var ctx = vertx.getOrCreateContext();
    java.util.concurrent.CompletableFuture<Void> ready = new java.util.concurrent.CompletableFuture<>();
    ctx.runOnContext(v -> sub.subscribe(List.of(Keys.listenerChannels(job)), json -> {
      synchronized (got) {
        got.add(json);
        got.notifyAll();
      }
    }).onComplete(ar -> ready.complete(null)));
    ready.get(5, TimeUnit.SECONDS);
    append(new ServerEvent.Accepted(null, job, null, "c"));
    append(new ServerEvent.Compile(null, job, "ok", List.of(), "", false, 5L));
    append(new ServerEvent.Output(null, job, "stdout", "x"));
    append(new ServerEvent.InputRequest(null, job, "? "));
    append(new ServerEvent.Complete(null, job, 0, 1L, RunStatus.OK, null, null, null, null, null));
    long deadline = System.currentTimeMillis() + 5000;
    synchronized (got) {
      while (got.size() < 5 && System.currentTimeMillis() < deadline) got.wait(100);
    }
    assertEquals(5, got.size());
    for (int i = 0; i < 5; i++) assertEquals(i + 1, Codec.peekSeq(got.get(i)));
    ctx.runOnContext(v -> sub.close());
  }
}
