package dev.sandpit.bus;

import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.ServerEvent;
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

  /**
   * Input and its {@code input} event in one step. KEYS: input stream, done, wake-up channel,
   * events, seq, event channel. ARGV: message json, ttl, event json (without seq). The event is
   * numbered and logged (as {@link EventLog} does) before the input is appended, so whatever the
   * program prints in answer comes after it. Returns the event's seq, 0 once the job has completed,
   * -1 when the job has no event yet (input typed ahead of its {@code accepted}, which must stay
   * seq 1: delivered, not logged).
   */
  static final String SCRIPT_WITH_EVENT =
      "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end\n"
          + "local seq = -1\n"
          + "if redis.call('EXISTS', KEYS[5]) == 1 then\n"
          + "  seq = redis.call('INCR', KEYS[5])\n"
          + "  local ev = '{\"seq\":' .. seq .. ',' .. string.sub(ARGV[3], 2)\n"
          + "  redis.call('XADD', KEYS[4], '0-' .. seq, 'e', ev)\n"
          + "  redis.call('EXPIRE', KEYS[4], ARGV[2])\n"
          + "  redis.call('EXPIRE', KEYS[5], ARGV[2])\n"
          + "  redis.call('PUBLISH', KEYS[6], ev)\n"
          + "end\n"
          + "redis.call('XADD', KEYS[1], '*', 'm', ARGV[1])\n"
          + "redis.call('EXPIRE', KEYS[1], ARGV[2])\n"
          + "redis.call('PUBLISH', KEYS[3], '1')\n"
          + "return seq\n";

  /** Input for the job, logged as an {@code input} event of the job {@code by} whom (null: anonymous). */
  public static Request appendInput(String jobId, String data, ServerEvent.By by, long ttlSeconds) {
    return Request.cmd(Command.EVAL).arg(SCRIPT_WITH_EVENT).arg(6)
        .arg(Keys.input(jobId)).arg(Keys.done(jobId)).arg(Keys.inputResponseChannel(jobId))
        .arg(Keys.events(jobId)).arg(Keys.seq(jobId)).arg(Keys.channelFor(jobId, "input"))
        .arg(Codec.encode(new ClientMessage.InputResponse(null, data)))
        .arg(ttlSeconds)
        .arg(Codec.encodeBytes(new ServerEvent.Input(null, jobId, data, by)));
  }

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
