package dev.sandpit.gateway.jobs;

import dev.sandpit.gateway.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes, now and then, the run snapshot blobs no run references any more (after sessions or runs
 * were deleted): {@link Store#deleteUnreferencedBlobs}, on a worker thread. Any number of gateways
 * may sweep at once; the store's grace period keeps blobs a run is about to reference.
 */
public final class BlobSweeper {
  private static final Logger log = LoggerFactory.getLogger(BlobSweeper.class);
  /** Blobs one pass deletes at most (the next pass goes on). */
  static final int MAX_PER_PASS = 10_000;

  private final Vertx vertx;
  private final Store store;
  private final long intervalMs;
  private long timer = -1;
  private boolean running;

  public BlobSweeper(Vertx vertx, Store store, long intervalMs) {
    this.vertx = vertx;
    this.store = store;
    this.intervalMs = intervalMs;
  }

  public void start() {
    timer = vertx.setPeriodic(intervalMs, t -> sweep());
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** One pass; completes with how many blobs it deleted. */
  public Future<Integer> sweep() {
    if (running) return Future.succeededFuture(0);
    running = true;
    return vertx.executeBlocking(() -> store.deleteUnreferencedBlobs(MAX_PER_PASS), false)
        .andThen(ar -> {
          running = false;
          if (ar.failed()) log.warn("blob sweeper: {}", ar.cause().toString());
          else if (ar.result() > 0) log.info("blob sweeper: deleted {} unreferenced blobs", ar.result());
        });
  }
}
