package dev.sandpit.gateway.ws;

import dev.sandpit.bus.InputLog;
import dev.sandpit.gateway.GatewayConfig;
import dev.sandpit.gateway.feed.Feeds;
import dev.sandpit.gateway.feed.Tap;
import dev.sandpit.gateway.feed.Watches;
import dev.sandpit.gateway.jobs.JobSubmitter;
import dev.sandpit.gateway.jobs.SessionRunner;
import dev.sandpit.gateway.jobs.SessionRuns;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  /** Jobs this connection may send input, eof and stop to (its own runs; session runs where its role is runner+). */
  private final Set<String> controllable = new HashSet<>();
  /** Session runs started on this connection. */
  private final Set<String> ownRuns = new HashSet<>();
  private final Map<String, Handler<String>> watching = new HashMap<>();
  private final String userId;
  /** Who this connection is, as its input events name it (null: anonymous). */
  private final ServerEvent.By user;
  private final SessionRuns sessionRuns;
  private final SessionRunner runner;
  private final Watches watches;
  private boolean closed;
  private final MessageRate rate;
  /** Frames refused for the rate since the last one admitted. */
  private int refusedInARow;

  public ExecuteSocket(Vertx vertx, ServerWebSocket ws, Redis redis, Feeds feeds, JobSubmitter submitter, GatewayConfig config,
      ServerEvent.By user, SessionRunner runner, Watches watches) {
    this.vertx = vertx;
    this.ws = ws;
    this.redis = redis;
    this.feeds = feeds;
    this.submitter = submitter;
    this.config = config;
    this.user = user;
    this.userId = user == null ? null : user.id();
    this.runner = runner;
    this.sessionRuns = runner == null ? null : runner.runs();
    this.watches = watches;
    this.rate = new MessageRate(config.messagesPerS(), System.nanoTime());
  }

  public void start() {
    ws.textMessageHandler(text -> {
      if (admitted()) onText(text);
    });
    ws.binaryMessageHandler(b -> {
      if (admitted()) error(null, null, ErrorCode.BAD_JSON, "binary frames are not part of the protocol; send JSON text");
    });
    ws.exceptionHandler(e -> FrameErrors.handle(ws, e, log));
    ws.closeHandler(v -> {
      closed = true;
      for (Tap t : List.copyOf(taps.values())) feeds.detach(t);
      taps.clear();
      watching.forEach(watches::unwatch);
      watching.clear();
    });
  }

  /**
   * Whether the frame is within the connection's rate. A frame over it is dropped unread and
   * answered with rate_limited; a client that goes on (more refused frames in a row than its rate
   * allows in a second) is flooding, and the connection is closed with 4429.
   */
  private boolean admitted() {
    if (rate.take(System.nanoTime())) {
      refusedInARow = 0;
      return true;
    }
    if (++refusedInARow > config.messagesPerS()) {
      if (refusedInARow == config.messagesPerS() + 1) {
        log.info("closing a WebSocket that sent more than {} messages a second", config.messagesPerS());
        ws.close((short) ErrorCode.RATE_LIMITED.closeCode(), "too many messages").onFailure(e -> log.debug("close failed: {}", e.toString()));
      }
      return false;
    }
    // a client that does not read its replies gets no more of them
    if (!ws.writeQueueFull()) {
      error(null, null, ErrorCode.RATE_LIMITED, "more than " + config.messagesPerS() + " messages a second on this connection; the message was dropped");
    }
    return false;
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
      } else if (m instanceof ClientMessage.Watch w) {
        watch(w.sessionId());
      } else if (m instanceof ClientMessage.Unwatch u) {
        if (u.sessionId() != null && watching.containsKey(u.sessionId())) watches.unwatch(u.sessionId(), watching.remove(u.sessionId()));
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
    if (m.sessionId() != null) {
      executeSession(jobId, m);
      return;
    }
    JobSpec spec = submitter.validate(jobId, m);
    controllable.add(jobId);
    Tap tap = follow(jobId, 0);
    // no need to wait for the subscription before queueing: once it is confirmed, the tap reads
    // whatever was already logged, and every later event arrives live
    Future<Void> subscribed = feeds.attach(tap).onSuccess(v -> tap.fill());
    Future.all(subscribed, submitter.enqueue(spec, m.requestId()))
        .onSuccess(v -> submitter.watchQueue(vertx, tap::done, spec))
        .onFailure(e -> {
          log.warn("job {}: could not be queued: {}", jobId, e.toString());
          unfollow(tap);
          error(jobId, m.requestId(), ErrorCode.UNAVAILABLE, "the job could not be queued (" + e.getMessage() + "); try again");
        });
  }

  /** A run of a session's files: role check, per-user limits, history record, then the usual queueing. */
  private void executeSession(String jobId, ClientMessage.Execute m) {
    if (userId == null || runner == null) {
      throw new ProtocolException(ErrorCode.UNAUTHORIZED, "running a session needs a signed-in connection (?token=)");
    }
    runner.start(userId, jobId, m)
        .onSuccess(spec -> {
          controllable.add(jobId);
          ownRuns.add(jobId);
          Tap tap = follow(jobId, 0);
          feeds.attach(tap).onSuccess(v -> tap.fill()).onFailure(e -> {
            unfollow(tap);
            error(jobId, m.requestId(), ErrorCode.UNAVAILABLE, "cannot follow the run right now; attach to it again");
          });
        })
        .onFailure(e -> {
          if (e instanceof ProtocolException p) {
            error(null, m.requestId(), p.code(), p.getMessage());
          } else if (e instanceof StoreException se) {
            error(null, m.requestId(), se.code() == StoreException.Code.NOT_FOUND ? ErrorCode.NOT_FOUND : ErrorCode.UNAVAILABLE, se.getMessage());
          } else {
            log.warn("session run failed to start: {}", e.toString());
            error(null, m.requestId(), ErrorCode.UNAVAILABLE, "the run could not be started; try again");
          }
        });
  }

  private void watch(String sessionId) {
    if (sessionId == null) throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'session_id'");
    if (userId == null || sessionRuns == null) throw new ProtocolException(ErrorCode.UNAUTHORIZED, "watching a session needs a signed-in connection (?token=)");
    if (watching.containsKey(sessionId)) return;
    vertx.executeBlocking(() -> sessionRuns.canSee(userId, sessionId), false)
        .onSuccess(ok -> {
          if (!ok) {
            error(null, null, ErrorCode.NOT_FOUND, "no such session");
            return;
          }
          if (closed || watching.containsKey(sessionId)) return;
          Handler<String> h = this::send;
          watching.put(sessionId, h);
          watches.watch(sessionId, h).onFailure(e -> error(null, null, ErrorCode.UNAVAILABLE, "cannot watch right now; try again"));
        })
        .onFailure(e -> error(null, null, ErrorCode.UNAVAILABLE, "cannot watch right now; try again"));
  }

  private void attach(ClientMessage.Attach m) {
    if (m.jobId() == null) throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'job_id'");
    if (!m.jobId().matches("[0-9a-f]{32}")) throw new ProtocolException(ErrorCode.UNKNOWN_JOB, "unknown job '" + m.jobId() + "'");
    long after = m.afterSeq() == null ? 0 : m.afterSeq();
    if (after < 0) throw new ProtocolException(ErrorCode.INVALID_FIELD, "after_seq must not be negative");
    Tap existing = taps.get(m.jobId());
    if (existing != null) unfollow(existing);
    // a session's run may be followed only by those who may see the session; others' runs by id
    Future<String> role = sessionRuns == null ? Future.succeededFuture(null)
        : vertx.executeBlocking(() -> sessionRuns.roleForRun(userId, m.jobId()), false);
    role.compose(r -> redis.send(Request.cmd(Command.EXISTS).arg(Keys.seq(m.jobId())))
            .timeout(config.redis().timeoutMs(), TimeUnit.MILLISECONDS)
            .map(exists -> new Object[] {r, exists.toInteger() == 1}))
        .onSuccess(x -> {
          String r = (String) x[0];
          boolean exists = (Boolean) x[1];
          if ("".equals(r) || !exists) {
            error(m.jobId(), null, ErrorCode.UNKNOWN_JOB, "unknown or expired job '" + m.jobId() + "'");
            return;
          }
          if (r == null || SessionRunsRoles.mayControl(r)) controllable.add(m.jobId());
          else controllable.remove(m.jobId());
          Tap tap = follow(m.jobId(), after);
          feeds.attach(tap).onSuccess(v -> {
            send(Codec.encode(new ServerEvent.Attached(null, m.jobId(), after)));
            tap.fill();
          }).onFailure(e -> {
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
    if (!controllable.contains(id)) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "your role in this session may watch the run but not type into or stop it");
    }
    String target = id;
    // input is logged as an event of the job, so every follower sees it (and the transcript keeps it)
    Request req = m instanceof ClientMessage.InputResponse in
        ? InputLog.appendInput(target, in.data(), user, config.eventTtlS())
        : InputLog.append(target, m, config.eventTtlS());
    redis.send(req)
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

  /** Roles that may type into and stop a session's runs. */
  static final class SessionRunsRoles {
    static boolean mayControl(String role) {
      return SessionAccess.atLeast(role, SessionAccess.RUNNER);
    }
  }
}
