package dev.sandpit.gateway.jobs;

import dev.sandpit.bus.EventLog;
import dev.sandpit.gateway.store.Chunk;
import dev.sandpit.gateway.store.RunEnd;
import dev.sandpit.gateway.store.RunRecord;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the end of runs whose recording gateway went away: a run still open in the history long
 * after it must have ended gets its transcript filled and its end written from the job's event log
 * (whichever gateway sees it first; the store keeps the first end), or {@code executor_lost} when
 * the log is gone.
 */
public final class RunSweeper extends Periodic {
  private static final Logger log = LoggerFactory.getLogger(RunSweeper.class);

  private final Store store;
  private final Redis redis;
  private final long overdueMs;

  /** @param overdueMs how long after its start a run must have ended (max wall + queue + margin) */
  public RunSweeper(Vertx vertx, Store store, Redis redis, long overdueMs, long intervalMs) {
    super(vertx, intervalMs);
    this.store = store;
    this.redis = redis;
    this.overdueMs = overdueMs;
  }

  /** Completes with how many runs it closed. */
  @Override
  protected Future<Integer> pass() {
    long before = System.currentTimeMillis() - overdueMs;
    return vertx.executeBlocking(() -> store.unfinishedRuns(before, 50), false)
        .compose(runs -> {
          Future<Integer> chain = Future.succeededFuture(0);
          for (RunRecord r : runs) chain = chain.compose(n -> close(r).map(ok -> n + 1));
          return chain;
        });
  }

  @Override
  protected void failed(Throwable cause) {
    log.warn("run sweeper: {}", cause.toString());
  }

  private Future<Void> close(RunRecord r) {
    return redis.send(EventLog.readAfter(r.id(), 0, 100_000)).map(EventLog::entries).recover(e -> Future.succeededFuture(List.of()))
        .compose(events -> vertx.executeBlocking(() -> {
          List<Chunk> chunks = new ArrayList<>();
          ServerEvent.Complete end = null;
          for (String json : events) {
            ServerEvent e = Codec.decodeEvent(json);
            if (e instanceof ServerEvent.Output o) chunks.add(new Chunk(o.seq() * 1000, o.stream(), o.data()));
            else if (e instanceof ServerEvent.Input in) chunks.add(new Chunk(in.seq() * 1000, "stdin", in.data()));
            else if (e instanceof ServerEvent.Compile c && "error".equals(c.status())) chunks.add(new Chunk(c.seq() * 1000, "compile", String.valueOf(c.output())));
            else if (e instanceof ServerEvent.Complete c) end = c;
          }
          if (!chunks.isEmpty()) store.appendChunks(r.id(), chunks);
          long now = System.currentTimeMillis();
          RunEnd runEnd = end != null
              ? new RunEnd(end.status().wire(), end.exitCode(), end.executionTime(), end.cpuMs(), end.memoryKb(), now)
              : new RunEnd(RunStatus.EXECUTOR_LOST.wire(), null, null, null, null, now);
          store.finishRun(r.id(), runEnd);
          log.info("run {}: its end was recorded by the sweeper ({})", r.id(), runEnd.status());
          return null;
        }, false));
  }
}
