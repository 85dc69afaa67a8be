package dev.sandpit.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pub/sub connection that survives Redis restarts: it keeps the set of subscribed channels,
 * reconnects with backoff when the connection drops, subscribes again, then calls the {@code
 * onReconnect} handler so owners can fill whatever they missed from the durable logs. Must be
 * used from the context that created it.
 */
public final class Subscriber {
  private static final Logger log = LoggerFactory.getLogger(Subscriber.class);
  /** The wait before the first reconnect, doubled on each failure up to {@link #MAX_BACKOFF_MS}. */
  static final long FIRST_BACKOFF_MS = 50;
  static final long MAX_BACKOFF_MS = 2000;

  private final Vertx vertx;
  private final Context context;
  private final Redis client;
  private final long timeoutMs;
  private final Map<String, Handler<String>> handlers = new HashMap<>();
  private Handler<Void> onReconnect = v -> {};
  private RedisConnection conn;
  private Future<RedisConnection> connecting;
  private boolean closed;
  private long backoffMs = FIRST_BACKOFF_MS;

  public Subscriber(Vertx vertx, Redis client, long timeoutMs) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.timeoutMs = timeoutMs;
  }

  public Subscriber onReconnect(Handler<Void> h) {
    this.onReconnect = h;
    return this;
  }

  /** Connect and subscribe to whatever is registered; the first start of the subscriber. */
  public Future<Void> start() {
    return connect().mapEmpty();
  }

  /** Subscribe the channels to one handler; completes once Redis confirmed the subscription. */
  public Future<Void> subscribe(Collection<String> channels, Handler<String> handler) {
    for (String ch : channels) handlers.put(ch, handler);
    return connect()
        .compose(c -> c.send(cmd(Command.SUBSCRIBE, channels)))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  public Future<Void> unsubscribe(Collection<String> channels) {
    channels.forEach(handlers::remove);
    if (conn == null) return Future.succeededFuture();
    return conn.send(cmd(Command.UNSUBSCRIBE, channels))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  public int channelCount() {
    return handlers.size();
  }

  private static Request cmd(Command c, Collection<String> channels) {
    Request r = Request.cmd(c);
    channels.forEach(r::arg);
    return r;
  }

  private Future<RedisConnection> connect() {
    if (conn != null) return Future.succeededFuture(conn);
    if (connecting != null) return connecting;
    connecting =
        client.connect()
            .timeout(timeoutMs, TimeUnit.MILLISECONDS)
            .compose(c -> {
              c.handler(this::onMessage);
              c.exceptionHandler(e -> lost(c, e));
              c.endHandler(v -> lost(c, null));
              if (handlers.isEmpty()) return Future.succeededFuture(c);
              return c.send(cmd(Command.SUBSCRIBE, List.copyOf(handlers.keySet())))
                  .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                  .map(r -> c);
            })
            .andThen(ar -> {
              connecting = null;
              if (ar.succeeded()) {
                conn = ar.result();
                backoffMs = FIRST_BACKOFF_MS;
              }
            });
    return connecting;
  }

  private void onMessage(Response r) {
    // RESP2: multibulk; RESP3: push. Both: ["message", channel, payload]
    if (r == null || r.size() < 3) return;
    if (!"message".equals(r.get(0).toString())) return;
    String channel = r.get(1).toString();
    Handler<String> h = handlers.get(channel);
    if (h != null) h.handle(r.get(2).toString());
  }

  private void lost(RedisConnection c, Throwable e) {
    context.runOnContext(v -> {
      if (conn != c) return;
      conn = null;
      if (closed) return;
      log.warn("redis subscriber: connection lost{}; reconnecting", e == null ? "" : ": " + e.getMessage());
      scheduleReconnect();
    });
  }

  private void scheduleReconnect() {
    if (closed) return;
    long delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    vertx.setTimer(delay, t -> connect()
        .onSuccess(c -> {
          log.info("redis subscriber: reconnected, {} channels", handlers.size());
          onReconnect.handle(null);
        })
        .onFailure(e -> scheduleReconnect()));
  }

  public Future<Void> close() {
    closed = true;
    handlers.clear();
    return conn == null ? Future.succeededFuture() : conn.close();
  }
}
