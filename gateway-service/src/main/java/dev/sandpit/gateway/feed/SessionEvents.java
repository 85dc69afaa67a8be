package dev.sandpit.gateway.feed;

import dev.sandpit.protocol.Keys;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells everyone watching a session, on every gateway, what happened to it: a {@code
 * session_event} on the session's Redis channel. Best effort: a watcher that missed one reloads.
 */
public final class SessionEvents {
  private static final Logger log = LoggerFactory.getLogger(SessionEvents.class);
  private final Redis redis;

  public SessionEvents(Redis redis) {
    this.redis = redis;
  }

  public void publish(String sessionId, String kind, JsonObject details) {
    JsonObject e = new JsonObject().put("type", "session_event").put("session_id", sessionId).put("kind", kind)
        .put("at", System.currentTimeMillis());
    if (details != null) details.forEach(x -> e.put(x.getKey(), x.getValue()));
    redis.send(Request.cmd(Command.PUBLISH).arg(Keys.sessionEvents(sessionId)).arg(e.encode()))
        .onFailure(x -> log.warn("session {}: event {} not published: {}", sessionId, kind, x.getMessage()));
  }
}
