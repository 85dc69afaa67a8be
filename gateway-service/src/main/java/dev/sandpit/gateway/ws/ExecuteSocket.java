package dev.sandpit.gateway.ws;

import dev.sandpit.bus.EventLog;
import dev.sandpit.bus.InputLog;
import dev.sandpit.gateway.GatewayConfig;
import dev.sandpit.gateway.jobs.JobSubmitter;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on {@code /ws/execute} (seed 004's protocol). Every bad frame gets an
 * {@code error} event with a stable code and the connection stays usable. Runs started or attached
 * here are followed through {@link Tap}s; closing the socket only stops following them (a client
 * may attach again from anywhere).
 */
public final class ExecuteSocket {
  private static final Logger log = LoggerFactory.getLogger(ExecuteSocket.class);

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final Redis redis;
  private final Feeds feeds;
  private final JobSubmitter submitter;
  private final GatewayConfig config;
  private final Map<String, Tap> taps = new LinkedHashMap<>();
  private boolean closed;

  public ExecuteSocket(Vertx vertx, ServerWebSocket ws, Redis redis, Feeds feeds, JobSubmitter submitter, GatewayConfig config) {
    this.vertx = vertx;
    this.ws = ws;
    this.redis = redis;
    this.feeds = feeds;
    this.submitter = submitter;
    this.config = config;
  }

  public void start() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> error(null, null, ErrorCode.BAD_JSON, "binary frames are not part of the protocol; send JSON text"));
    ws.exceptionHandler(e -> log.debug("websocket error: {}", e.toString()));
    ws.closeHandler(v -> {
      closed = true;
      for (Tap t : List.copyOf(taps.values())) feeds.detach(t);
      taps.clear();
    });
  }

  private void onText(String text) {
    ClientMessage m;
    try {
      m = Codec.decodeClient(text);
    } catch (ProtocolException e) {
      error(null, null, e.code(), e.getMessage());
      return;
    }
    try {
      if (m instanceof ClientMessage.Execute ex) {
        execute(ex);
      } else if (m instanceof ClientMessage.Attach at) {
        attach(at);
      } else if (m instanceof ClientMessage.InputResponse in) {
        if (in.data() == null) throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'data'");
        if (in.data().length() > 1 << 20) throw new ProtocolException(ErrorCode.MESSAGE_TOO_LARGE, "input over 1 MiB");
        toJob(in.jobId(), new ClientMessage.InputResponse(null, in.data()));
      } else if (m instanceof ClientMessage.Eof eof) {
        toJob(eof.jobId(), new ClientMessage.Eof(null));
      } else if (m instanceof ClientMessage.Stop stop) {
        toJob(stop.jobId(), new ClientMessage.Stop(null));
      }
    } catch (ProtocolException e) {
      String requestId = m instanceof ClientMessage.Execute ex ? ex.requestId() : null;
      error(jobIdOf(m), requestId, e.code(), e.getMessage());
    }
  }

  private void execute(ClientMessage.Execute m) {
    long live = taps.values().stream().filter(t -> !t.done()).count();
    if (live >= config.maxRunsPerConnection()) {
      throw new ProtocolException(ErrorCode.TOO_MANY_RUNS,
          "this connection already has " + live + " runs going; the limit is " + config.maxRunsPerConnection());
    }
    String jobId = JobSubmitter.newJobId();
    JobSpec spec = submitter.validate(jobId, m);
    Tap tap = follow(jobId, 0);
    feeds.attach(tap)
        .compose(v -> submitter.enqueue(spec, m.requestId()))
        .onSuccess(v -> watchQueue(tap, spec))
        .onFailure(e -> {
          log.warn("job {}: could not be queued: {}", jobId, e.toString());
          unfollow(tap);
          error(jobId, m.requestId(), ErrorCode.UNAVAILABLE, "the job could not be queued (" + e.getMessage() + "); try again");
        });
  }

  /** A job no worker took before its queue deadline ends here instead of waiting for ever. */
  private void watchQueue(Tap tap, JobSpec spec) {
    long delay = Math.max(1, spec.queueDeadlineMs() - System.currentTimeMillis() + 1000);
    vertx.setTimer(delay, t -> {
      if (tap.done()) return;
      redis.send(Request.cmd(Command.EXISTS).arg(Keys.owner(spec.jobId())))
          .timeout(config.redis().timeoutMs(), TimeUnit.MILLISECONDS)
          .compose(r -> r.toInteger() == 1 ? io.vertx.core.Future.succeededFuture()
              : redis.send(EventLog.append(new ServerEvent.Complete(null, spec.jobId(), null, null, RunStatus.INTERNAL_ERROR,
                  null, null, null, null, "no worker took the job within " + config.queueTimeoutMs() + " ms"), config.eventTtlS())))
          .onFailure(e -> log.warn("job {}: queue check failed: {}", spec.jobId(), e.toString()));
    });
  }

  private void attach(ClientMessage.Attach m) {
    if (m.jobId() == null) throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'job_id'");
    if (!m.jobId().matches("[0-9a-f]{32}")) throw new ProtocolException(ErrorCode.UNKNOWN_JOB, "unknown job '" + m.jobId() + "'");
    long after = m.afterSeq() == null ? 0 : m.afterSeq();
    if (after < 0) throw new ProtocolException(ErrorCode.INVALID_FIELD, "after_seq must not be negative");
    Tap existing = taps.get(m.jobId());
    if (existing != null) unfollow(existing);
    redis.send(Request.cmd(Command.EXISTS).arg(Keys.seq(m.jobId())))
        .timeout(config.redis().timeoutMs(), TimeUnit.MILLISECONDS)
        .onSuccess(r -> {
          if (r.toInteger() == 0) {
            error(m.jobId(), null, ErrorCode.UNKNOWN_JOB, "unknown or expired job '" + m.jobId() + "'");
            return;
          }
          Tap tap = follow(m.jobId(), after);
          feeds.attach(tap).onSuccess(v -> tap.fill()).onFailure(e -> {
            unfollow(tap);
            error(m.jobId(), null, ErrorCode.UNAVAILABLE, "cannot follow the job right now; try again");
          });
        })
        .onFailure(e -> error(m.jobId(), null, ErrorCode.UNAVAILABLE, "cannot reach the job store; try again"));
  }

  private Tap follow(String jobId, long after) {
    Tap tap = new Tap(jobId, after, redis, config.redis().timeoutMs(), this::send, t -> {
      // keep finished taps briefly so a late eof/stop gets "job_finished", then forget them
      vertx.setTimer(5000, x -> {
        if (taps.get(t.jobId()) == t) taps.remove(t.jobId());
      });
      feeds.detach(t);
    });
    taps.put(jobId, tap);
    return tap;
  }

  private void unfollow(Tap tap) {
    taps.remove(tap.jobId(), tap);
    feeds.detach(tap);
  }

  private void toJob(String jobId, ClientMessage m) {
    String id = jobId;
    if (id == null) {
      List<Tap> live = taps.values().stream().filter(t -> !t.done()).toList();
      if (live.isEmpty()) throw new ProtocolException(ErrorCode.UNKNOWN_JOB, "no run is going on this connection");
      if (live.size() > 1) {
        throw new ProtocolException(ErrorCode.AMBIGUOUS_JOB, live.size() + " runs are going on this connection; name the job_id");
      }
      id = live.get(0).jobId();
    } else if (!taps.containsKey(id)) {
      throw new ProtocolException(ErrorCode.UNKNOWN_JOB, "job '" + id + "' is not followed on this connection; attach first");
    }
    String target = id;
    redis.send(InputLog.append(target, m, config.eventTtlS()))
        .timeout(config.redis().timeoutMs(), TimeUnit.MILLISECONDS)
        .onSuccess(r -> {
          if (r.toInteger() == 0) error(target, null, ErrorCode.JOB_FINISHED, "job '" + target + "' has already finished");
        })
        .onFailure(e -> error(target, null, ErrorCode.UNAVAILABLE, "could not deliver to the job (" + e.getMessage() + "); try again"));
  }

  private void send(String json) {
    if (!closed) ws.writeTextMessage(json).onFailure(e -> log.debug("send failed: {}", e.toString()));
  }

  private void error(String jobId, String requestId, ErrorCode code, String message) {
    send(Codec.encode(new ServerEvent.Error(null, jobId, requestId, code, message)));
  }

  private static String jobIdOf(ClientMessage m) {
    if (m instanceof ClientMessage.InputResponse x) return x.jobId();
    if (m instanceof ClientMessage.Eof x) return x.jobId();
    if (m instanceof ClientMessage.Stop x) return x.jobId();
    if (m instanceof ClientMessage.Attach x) return x.jobId();
    return null;
  }
}
