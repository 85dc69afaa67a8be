package dev.sandpit.bus;

import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.Keys;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Client-to-job messages (input, eof, stop). Pub/sub alone would lose a message sent before the
 * executor subscribed, so each message is appended to the job's input stream and only a wake-up
 * is published; the executor reads the stream after every wake-up and once when it starts.
 */
public final class InputLog {
  private InputLog() {}

  /** KEYS: input stream, done, channel. ARGV: json, ttl. Returns 0 once the job has completed. */
  static final String SCRIPT =
      "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end\n"
          + "redis.call('XADD', KEYS[1], '*', 'm', ARGV[1])\n"
          + "redis.call('EXPIRE', KEYS[1], ARGV[2])\n"
          + "redis.call('PUBLISH', KEYS[3], '1')\n"
          + "return 1\n";

  public static Request append(String jobId, ClientMessage m, long ttlSeconds) {
    String channel = m instanceof ClientMessage.InputResponse ? Keys.inputResponseChannel(jobId) : Keys.controlChannel(jobId);
    return Request.cmd(Command.EVAL).arg(SCRIPT).arg(3)
        .arg(Keys.input(jobId)).arg(Keys.done(jobId)).arg(channel)
        .arg(Codec.encode(m)).arg(ttlSeconds);
  }

  public static Request readAfter(String jobId, String afterId) {
    return Request.cmd(Command.XRANGE).arg(Keys.input(jobId)).arg(afterId == null ? "-" : "(" + afterId).arg("+");
  }

  public record Entry(String id, ClientMessage message) {}

  public static List<Entry> entries(Response r) {
    List<Entry> out = new ArrayList<>();
    if (r == null) return out;
    for (Response e : r) {
      Response f = e.get(1);
      for (int i = 0; i + 1 < f.size(); i += 2) {
        if ("m".equals(f.get(i).toString())) out.add(new Entry(e.get(0).toString(), Codec.decodeClient(f.get(i + 1).toString())));
      }
    }
    return out;
  }
}
