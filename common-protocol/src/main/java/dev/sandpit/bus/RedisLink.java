package dev.sandpit.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dedicated Redis connection whose commands reach the server in the order they were sent
 * (the pooled client may spread them over connections). Safe to call from any thread: every send
 * hops onto the link's context first. Reconnects on demand after the connection dies; every
 * command has a timeout.
 */
public final class RedisLink {
  private static final Logger log = LoggerFactory.getLogger(RedisLink.class);

  private final Vertx vertx;
  private final Context context;
  private final Redis client;
  private final long timeoutMs;
  private final String name;
  private Future<RedisConnection> conn;
  private boolean closed;

  public RedisLink(Vertx vertx, Redis client, long timeoutMs, String name) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.timeoutMs = timeoutMs;
    this.name = name;
  }

  public Future<Response> send(Request req) {
    Promise<Response> p = Promise.promise();
    try {
      context.runOnContext(v -> doSend(req).onComplete(p));
    } catch (RejectedExecutionException e) {
      p.fail("link " + name + " closed: Vert.x is shutting down");
    }
    return p.future();
  }

  private Future<Response> doSend(Request req) {
    if (closed) return Future.failedFuture("link " + name + " closed");
    return connection()
        .compose(c -> c.send(req))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private Future<RedisConnection> connection() {
    if (conn == null || conn.failed()) {
      Future<RedisConnection> f =
          client.connect().timeout(timeoutMs, TimeUnit.MILLISECONDS).map(c -> {
            c.exceptionHandler(e -> drop(c, e));
            c.endHandler(v -> drop(c, null));
            return c;
          });
      conn = f;
      f.onFailure(e -> log.warn("redis link {}: connect failed: {}", name, e.getMessage()));
    }
    return conn;
  }

  private void drop(RedisConnection c, Throwable e) {
    context.runOnContext(v -> {
      if (conn != null && conn.succeeded() && conn.result() == c) {
        log.warn("redis link {}: connection lost{}", name, e == null ? "" : ": " + e.getMessage());
        conn = null;
      }
    });
  }

  public Future<Void> close() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      if (conn != null && conn.succeeded()) {
        conn.result().close().onComplete(ar -> p.complete());
      } else {
        p.complete();
      }
    });
    return p.future();
  }

  public Vertx vertx() {
    return vertx;
  }
}
