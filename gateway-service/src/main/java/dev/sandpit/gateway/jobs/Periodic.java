package dev.sandpit.gateway.jobs;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A pass a gateway runs every interval on its event loop, never two at once: the {@link Reaper},
 * the {@link RunSweeper} and the {@link BlobSweeper}. {@link #sweep} also runs one at once (tests,
 * start-up) and completes with what the pass counted; a pass that fails is reported to
 * {@link #failed} and its failure is the result.
 */
public abstract class Periodic {
  protected final Vertx vertx;
  protected final long intervalMs;
  private long timer = -1;
  private boolean running;

  Periodic(Vertx vertx, long intervalMs) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
  }

  public void start() {
    timer = vertx.setPeriodic(intervalMs, t -> sweep());
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** One pass now, unless one is running (then 0). */
  public Future<Integer> sweep() {
    if (running) return Future.succeededFuture(0);
    running = true;
    return pass().andThen(ar -> {
      running = false;
      if (ar.failed()) failed(ar.cause());
    });
  }

  /** The work of one pass; completes with how many things it handled. */
  protected abstract Future<Integer> pass();

  /** Logs a failed pass (the next one tries again). */
  protected abstract void failed(Throwable cause);
}
