package dev.sandpit.gateway.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.bus.EventLog;
import dev.sandpit.bus.Subscriber;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.testing.Await;
import dev.sandpit.testing.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Taps against a real Redis: every event exactly once, in order, whenever the listener arrives. */
class TapIT {
  static RedisServer server;
  static Vertx vertx;
  static Redis redis;
  static Context ctx;
  static Feeds feeds;

  @BeforeAll
  static void up() throws Exception {
    server = RedisServer.start();
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
    ctx = vertx.getOrCreateContext();
    CompletableFuture<Feeds> f = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      Subscriber s = new Subscriber(vertx, redis, 2000);
      s.start().onComplete(ar -> f.complete(new Feeds(s)));
    });
    feeds = f.get(5, TimeUnit.SECONDS);
  }

  @AfterAll
  static void down() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
    server.close();
  }

  static void append(ServerEvent e) throws Exception {
    redis.send(EventLog.append(e, 60)).await(5, TimeUnit.SECONDS);
  }

  /** Attach a tap on the event loop; returns the list it delivers into. */
  static List<String> attach(String job, long after) throws Exception {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> ready = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      Tap t = new Tap(job, after, redis, 2000, got::add, x -> {});
      feeds.attach(t).onComplete(ar -> {
        t.fill();
        ready.complete(null);
      });
    });
    ready.get(5, TimeUnit.SECONDS);
    return got;
  }

  static List<Long> seqs(List<String> got) {
    synchronized (got) {
      return got.stream().map(Codec::peekSeq).toList();
    }
  }

  @Test
  void aListenerArrivingMidRunGetsTheBacklogThenLiveEventsInOrderExactlyOnce() throws Exception {
    String job = UUID.randomUUID().toString();
    append(new ServerEvent.Accepted(null, job, null, "python"));
    for (int i = 0; i < 50; i++) append(new ServerEvent.Output(null, job, "stdout", i + "\n"));
    List<String> got = attach(job, 0);
    for (int i = 50; i < 100; i++) append(new ServerEvent.Output(null, job, "stdout", i + "\n"));
    append(new ServerEvent.Complete(null, job, 0, 1L, RunStatus.OK, null, null, null, null, null));
    Await.until("102 events", 5000, () -> got.size() >= 102);
    List<Long> s = seqs(got);
    for (int i = 0; i < s.size(); i++) assertEquals(i + 1, s.get(i));
    assertEquals(102, s.size());
  }

  @Test
  void reattachingAfterSeqDeliversOnlyLaterEvents() throws Exception {
    String job = UUID.randomUUID().toString();
    append(new ServerEvent.Accepted(null, job, null, "python"));
    for (int i = 0; i < 10; i++) append(new ServerEvent.Output(null, job, "stdout", "x"));
    append(new ServerEvent.Complete(null, job, 0, 1L, RunStatus.OK, null, null, null, null, null));
    List<String> got = attach(job, 7);
    Await.until("events 8..12", 5000, () -> got.size() >= 5);
    assertEquals(List.of(8L, 9L, 10L, 11L, 12L), seqs(got));
    assertTrue(got.get(4).contains("\"type\":\"complete\""));
  }

  @Test
  void twoListenersOfOneJobEachGetEveryEvent() throws Exception {
    String job = UUID.randomUUID().toString();
    append(new ServerEvent.Accepted(null, job, null, "python"));
    List<String> a = attach(job, 0);
    List<String> b = attach(job, 0);
    for (int i = 0; i < 20; i++) append(new ServerEvent.Output(null, job, i % 2 == 0 ? "stdout" : "stderr", "e" + i));
    append(new ServerEvent.Complete(null, job, 0, 1L, RunStatus.OK, null, null, null, null, null));
    Await.until("both have 22 events", 5000, () -> a.size() >= 22 && b.size() >= 22);
    assertEquals(seqs(a), seqs(b));
    assertEquals(22, a.size());
  }

  @Test
  void completeIsRecognisedOnlyAsTheEventTypeNotInOutputData() {
    assertTrue(EventLog.isComplete("{\"seq\":3,\"type\":\"complete\",\"job_id\":\"j\"}"));
    assertEquals(false, EventLog.isComplete("{\"seq\":3,\"type\":\"output\",\"data\":\"\\\"type\\\":\\\"complete\\\"\"}"));
  }
}
