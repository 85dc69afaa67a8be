package dev.sandpit.gateway.jobs;

import dev.sandpit.gateway.GatewayConfig;
import dev.sandpit.gateway.feed.Feeds;
import dev.sandpit.gateway.feed.Tap;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts runs of a session for any caller (the WebSocket, the /v1 HTTP API, the terminal): role
 * check, per-user limits, history record with a recording tap on this gateway, then the job is
 * queued and watched until a worker takes it. Event-loop confined.
 */
public final class SessionRunner {
  private static final Logger log = LoggerFactory.getLogger(SessionRunner.class);

  private final Vertx vertx;
  private final Redis redis;
  private final Feeds feeds;
  private final JobSubmitter submitter;
  private final SessionRuns runs;
  private final GatewayConfig config;

  public SessionRunner(Vertx vertx, Redis redis, Feeds feeds, JobSubmitter submitter, SessionRuns runs, GatewayConfig config) {
    this.vertx = vertx;
    this.redis = redis;
    this.feeds = feeds;
    this.submitter = submitter;
    this.runs = runs;
    this.config = config;
  }

  public SessionRuns runs() {
    return runs;
  }

  public Feeds feeds() {
    return feeds;
  }

  public Redis redis() {
    return redis;
  }

  public GatewayConfig config() {
    return config;
  }

  /** Start a run of the session named in {@code m}; completes once it is queued, with its job spec. */
  public Future<JobSpec> start(String userId, String jobId, ClientMessage.Execute m) {
    return start(userId, jobId, m, Function.identity());
  }

  /** Start with the job adjusted before it is queued (build only; run an already built program). */
  public Future<JobSpec> start(String userId, String jobId, ClientMessage.Execute m, Function<JobSpec, JobSpec> adjust) {
    if (userId == null) return Future.failedFuture(new ProtocolException(ErrorCode.UNAUTHORIZED, "running a session needs a signed-in user"));
    String[] owner = new String[1];
    return vertx.executeBlocking(() -> runs.load(userId, m), false)
        .map(p -> {
          owner[0] = p.access().session().ownerId();
          return adjust.apply(submitter.build(jobId, SessionRuns.withSettings(m, p.language(), p.settings()), p.language(), p.files(), true));
        })
        .compose(spec -> runs.limits().take(userId, jobId, spec.limits().wallMs() + config.queueTimeoutMs() + 60_000).map(spec))
        .compose(spec -> vertx.executeBlocking(() -> {
          runs.open(spec, m.sessionId(), userId);
          return spec;
        }, false))
        .compose(spec -> {
          SessionRuns.Recorder rec = runs.recorder(jobId, m.sessionId(), owner[0], userId);
          Tap recording = new Tap(jobId, 0, redis, config.redis().timeoutMs(), rec::onEvent, feeds::detach);
          Future<Void> subscribed = feeds.attach(recording).onSuccess(v -> recording.fill());
          return Future.all(subscribed, submitter.enqueue(spec, m.requestId()))
              .map(v -> {
                submitter.watchQueue(vertx, recording::done, spec);
                return spec;
              })
              .recover(e -> {
                feeds.detach(recording);
                runs.limits().release(userId, jobId);
                return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "the job could not be queued (" + e.getMessage() + "); try again"));
              });
        });
  }


}
