package dev.sandpit.gateway.jobs;

import dev.sandpit.gateway.SessionConfig;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * Per-user run limits shared by every gateway through Redis: runs going on at once (a sorted set
 * of job ids scored by when they can no longer be running, so a gateway crash cannot leak a slot
 * for ever) and runs started per minute.
 */
public final class UserLimits {
  /** KEYS: running zset, minute counter. ARGV: job, now ms, expires-at ms, max running, max per minute. */
  static final String TAKE =
      "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])\n"
          + "if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return -1 end\n"
          + "local c = redis.call('INCR', KEYS[2])\n"
          + "redis.call('EXPIRE', KEYS[2], 120)\n"
          + "if c > tonumber(ARGV[5]) then return -2 end\n"
          + "redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])\n"
          + "redis.call('PEXPIREAT', KEYS[1], ARGV[3])\n"
          + "return 1\n";

  private final Redis redis;
  private final SessionConfig config;

  public UserLimits(Redis redis, SessionConfig config) {
    this.redis = redis;
    this.config = config;
  }

  /** Take a run slot for the user or fail with too_many_runs / rate_limited. */
  public Future<Void> take(String userId, String jobId, long maxRunMs) {
    long now = System.currentTimeMillis();
    return redis.send(Request.cmd(Command.EVAL).arg(TAKE).arg(2).arg(Keys.userRunning(userId))
            .arg(Keys.userRunsInMinute(userId, now / 60_000)).arg(jobId).arg(now).arg(now + maxRunMs)
            .arg(config.userMaxRuns()).arg(config.userRunsPerMinute()))
        .map(r -> {
          long v = r.toLong();
          if (v == -1) throw new ProtocolException(ErrorCode.TOO_MANY_RUNS, "you already have " + config.userMaxRuns() + " runs going; wait for one to end");
          if (v == -2) throw new ProtocolException(ErrorCode.RATE_LIMITED, "more than " + config.userRunsPerMinute() + " runs in a minute; wait a little");
          return null;
        });
  }

  public Future<Void> release(String userId, String jobId) {
    return redis.send(Request.cmd(Command.ZREM).arg(Keys.userRunning(userId)).arg(jobId)).mapEmpty();
  }
}
