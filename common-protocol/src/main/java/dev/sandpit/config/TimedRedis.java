package dev.sandpit.config;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pooled Redis client with a timeout on every command, so no call anywhere can wait for ever
 * on a Redis that stopped answering. (Dedicated connections for blocking reads and pub/sub set
 * their own.)
 */
final class TimedRedis implements Redis {
  private final Redis delegate;
  private final long timeoutMs;

  TimedRedis(Redis delegate, long timeoutMs) {
    this.delegate = delegate;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<RedisConnection> connect() {
    return delegate.connect().timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }

  @Override
  public Future<Response> send(Request request) {
    return delegate.send(request).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    return delegate.batch(requests).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
