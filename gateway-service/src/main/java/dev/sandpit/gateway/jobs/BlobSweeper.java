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
public final class BlobSweeper extends Periodic {
  private static final Logger log = LoggerFactory.getLogger(BlobSweeper.class);
  /** Blobs one pass deletes at most (the next pass goes on). */
  static final int MAX_PER_PASS = 10_000;

  private final Store store;

  public BlobSweeper(Vertx vertx, Store store, long intervalMs) {
    super(vertx, intervalMs);
    this.store = store;
  }

  /** Completes with how many blobs it deleted. */
  @Override
  protected Future<Integer> pass() {
    return vertx.executeBlocking(() -> store.deleteUnreferencedBlobs(MAX_PER_PASS), false)
        .onSuccess(n -> {
          if (n > 0) log.info("blob sweeper: deleted {} unreferenced blobs", n);
        });
  }

  @Override
  protected void failed(Throwable cause) {
    log.warn("blob sweeper: {}", cause.toString());
  }
}
