package dev.sandpit.config;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/**
 * How every service reaches Redis.
 *
 * @param url {@code SANDPIT_REDIS_URL} (or {@code REDIS_URL}), default redis://127.0.0.1:6379
 * @param timeoutMs {@code SANDPIT_REDIS_TIMEOUT_MS}: connect and per-command timeout
 */
public record RedisConfig(String url, long timeoutMs) {
  public static final String URL = "SANDPIT_REDIS_URL";
  public static final String TIMEOUT_MS = "SANDPIT_REDIS_TIMEOUT_MS";
  static final long DEFAULT_TIMEOUT_MS = 3000;
  static final long MIN_TIMEOUT_MS = 10;
  static final long MAX_TIMEOUT_MS = 600_000;
  static final int MAX_POOL_WAITING_REQUESTS = 1024;
  static final int MAX_WAITING_HANDLERS = 65536;
  static final int POOL_RECYCLE_TIMEOUT_MS = 15_000;

  public static RedisConfig from(Settings s) {
    String url = s.string(URL, s.string("REDIS_URL", "redis://127.0.0.1:6379"));
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new Settings.ConfigException(URL, "'" + url + "' is not a redis:// URL");
    }
    return new RedisConfig(url, s.longValue(TIMEOUT_MS, DEFAULT_TIMEOUT_MS, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS));
  }

  /** A pooled client whose every command times out after {@link #timeoutMs}. */
  public Redis client(Vertx vertx, int poolSize) {
    RedisOptions o = new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(MAX_POOL_WAITING_REQUESTS)
        .setMaxWaitingHandlers(MAX_WAITING_HANDLERS)
        .setPoolRecycleTimeout(POOL_RECYCLE_TIMEOUT_MS)
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs))
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true));
    return new TimedRedis(Redis.createClient(vertx, o), timeoutMs);
  }
}
