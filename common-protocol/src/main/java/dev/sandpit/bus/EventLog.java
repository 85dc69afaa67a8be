package dev.sandpit.bus;

import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Logs and publishes the events of a job in one atomic Redis step. A Lua script assigns the next
 * {@code seq}, stores the event in the job's log stream (entry id {@code 0-<seq>}, so a reader can
 * ask for "everything after seq N"), publishes it on the job's channel for its type, refreshes
 * the TTL, and after a {@code complete} refuses every later event, so a job ends exactly once even
 * when a worker and a reaper race to end it.
 */
public final class EventLog {
  private EventLog() {}

  /** KEYS: events, seq, done, channel. ARGV: event json, ttl seconds, final flag. */
  static final String SCRIPT = // InputLog.SCRIPT_WITH_EVENT repeats these steps: keep them alike
      "if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end\n"
          + "local seq = redis.call('INCR', KEYS[2])\n"
          + "local ev = '{\"seq\":' .. seq .. ',' .. string.sub(ARGV[1], 2)\n"
          + "redis.call('XADD', KEYS[1], '0-' .. seq, 'e', ev)\n"
          + "if ARGV[3] == '1' then redis.call('SET', KEYS[3], '1', 'EX', ARGV[2]) end\n"
          + "redis.call('EXPIRE', KEYS[1], ARGV[2])\n"
          + "redis.call('EXPIRE', KEYS[2], ARGV[2])\n"
          + "redis.call('PUBLISH', KEYS[4], ev)\n"
          + "return seq\n";

  /** The event-log script followed by an XADD of the job to its queue: accepted is always seq 1. */
  static final String SCRIPT_AND_ENQUEUE = SCRIPT.replace("return seq\n",
      "redis.call('XADD', KEYS[5], 'MAXLEN', '~', '100000', '*', 'job', ARGV[4])\nreturn seq\n");

  /** Log {@code accepted} and queue the job in one atomic step. */
  public static Request acceptAndEnqueue(ServerEvent.Accepted accepted, long ttlSeconds, String queue, String jobJson) {
    String id = accepted.jobId();
    return Request.cmd(Command.EVAL)
        .arg(SCRIPT_AND_ENQUEUE)
        .arg(5)
        .arg(Keys.events(id))
        .arg(Keys.seq(id))
        .arg(Keys.done(id))
        .arg(Keys.channelFor(id, "accepted"))
        .arg(queue)
        .arg(Codec.encode(accepted))
        .arg(ttlSeconds)
        .arg("0")
        .arg(jobJson);
  }

  /** Build the request that logs {@code event} (whose seq must be null). */
  public static Request append(ServerEvent event, long ttlSeconds) {
    byte[] json = Codec.encodeBytes(event);
    String type = typeOf(event);
    String id = event.jobId();
    return Request.cmd(Command.EVAL)
        .arg(SCRIPT)
        .arg(4)
        .arg(Keys.events(id))
        .arg(Keys.seq(id))
        .arg(Keys.done(id))
        .arg(Keys.channelFor(id, type))
        .arg(json)
        .arg(ttlSeconds)
        .arg(event instanceof ServerEvent.Complete ? "1" : "0");
  }

  /** The seq given to the event, or 0 when the job had already completed (event dropped). */
  public static long seqOf(Response r) {
    return r == null ? 0 : r.toLong();
  }

  /** Read the log of a job after {@code afterSeq}, up to {@code count} events. */
  public static Request readAfter(String jobId, long afterSeq, int count) {
    return Request.cmd(Command.XRANGE)
        .arg(Keys.events(jobId))
        .arg("(0-" + afterSeq)
        .arg("+")
        .arg("COUNT")
        .arg(count);
  }

  /** The event json strings of an XRANGE reply, in order. */
  public static List<String> entries(Response r) {
    List<String> out = new ArrayList<>();
    if (r == null) return out;
    for (Response entry : r) {
      Response fields = entry.get(1);
      // RESP2/RESP3 both give a flat [field, value] list for stream entries
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("e".equals(fields.get(i).toString())) out.add(fields.get(i + 1).toString());
      }
    }
    return out;
  }

  public static String typeOf(ServerEvent e) {
    if (e instanceof ServerEvent.Accepted) return "accepted";
    if (e instanceof ServerEvent.Output) return "output";
    if (e instanceof ServerEvent.InputRequest) return "input_request";
    if (e instanceof ServerEvent.Input) return "input";
    if (e instanceof ServerEvent.Compile) return "compile";
    if (e instanceof ServerEvent.Started) return "started";
    if (e instanceof ServerEvent.Complete) return "complete";
    return "error";
  }

  /**
   * An event as the log stores and publishes it, numbered {@code seq}: what {@link #SCRIPT} makes
   * of it (the seq first, then the event's own JSON, which starts with its type), for an event a
   * reader has to make up itself (a job Redis lost).
   */
  public static String numbered(long seq, ServerEvent event) {
    return "{\"seq\":" + seq + "," + Codec.encode(event).substring(1);
  }

  /**
   * Whether an event read from the log or a job channel is the job's last: the one place that
   * reads a job's end from the wire. It looks only where {@link #SCRIPT} puts the type (right
   * after the seq), so text inside an event's data cannot pass for it.
   */
  public static boolean isComplete(String wire) {
    int comma = wire.indexOf(',');
    return comma > 0 && wire.startsWith("\"type\":\"complete\"", comma + 1);
  }

  /** Convenience for callers with a future-returning sender. */
  public static Future<Long> append(RedisLink link, ServerEvent event, long ttlSeconds) {
    return link.send(append(event, ttlSeconds)).map(EventLog::seqOf);
  }
}
