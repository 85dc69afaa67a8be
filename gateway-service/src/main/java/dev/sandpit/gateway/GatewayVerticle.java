package dev.sandpit.gateway;

import dev.sandpit.bus.Subscriber;
import dev.sandpit.gateway.auth.Tokens;
import dev.sandpit.gateway.collab.Collab;
import dev.sandpit.gateway.http.ApiRoutes;
import dev.sandpit.gateway.http.AuthRoutes;
import dev.sandpit.gateway.http.Http;
import dev.sandpit.gateway.http.SecurityHeaders;
import dev.sandpit.gateway.http.SessionEvents;
import dev.sandpit.gateway.http.SessionRoutes;
import dev.sandpit.gateway.http.V1Routes;
import dev.sandpit.gateway.jobs.BlobSweeper;
import dev.sandpit.gateway.jobs.RunSweeper;
import dev.sandpit.gateway.jobs.SessionRunner;
import dev.sandpit.gateway.jobs.SessionRuns;
import dev.sandpit.gateway.jobs.UserLimits;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.ws.TerminalSocket;
import dev.sandpit.gateway.ws.Watches;
import io.vertx.ext.web.handler.BodyHandler;
import dev.sandpit.gateway.jobs.Fleet;
import dev.sandpit.gateway.jobs.JobSubmitter;
import dev.sandpit.gateway.jobs.Reaper;
import dev.sandpit.gateway.ws.ExecuteSocket;
import dev.sandpit.gateway.ws.Feeds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: WebSocket {@code /ws/execute}, the REST API and the frontend on one HTTP server.
 * Start-up is one chain: Redis subscriber, fleet view, then listen; a failed step fails the
 * deployment.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private final GatewayConfig config;
  private final String gatewayId;
  private Redis redis;
  private Subscriber subscriber;
  private Fleet fleet;
  private Reaper reaper;
  private HttpServer server;
  private Store store;
  private RunSweeper sweeper;
  private BlobSweeper blobSweeper;
  private Router router;

  public GatewayVerticle(GatewayConfig config) {
    this.config = config;
    this.gatewayId = "gw-" + JobSubmitter.newJobId().substring(0, 12);
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> Store.open(config.store()), false).compose(this::startWith);
  }

  private Future<?> startWith(Store opened) {
    store = opened;
    redis = config.redis().client(vertx, 32);
    subscriber = new Subscriber(vertx, redis, config.redis().timeoutMs());
    Feeds feeds = new Feeds(subscriber);
    Watches watches = new Watches(subscriber);
    fleet = new Fleet(vertx, redis, config.redis().timeoutMs());
    reaper = new Reaper(vertx, redis, gatewayId, config.reaperIntervalMs(), config.redis().timeoutMs(), config.eventTtlS());
    JobSubmitter submitter = new JobSubmitter(redis, config, fleet);
    Tokens tokens = new Tokens(vertx, config.auth());
    SessionEvents events = new SessionEvents(redis);
    SessionRuns sessionRuns = new SessionRuns(vertx, store, redis, events, config.sessions(), new UserLimits(redis, config.sessions()));
    SessionRoutes sessions = new SessionRoutes(vertx, store, config.sessions(), events);
    AuthRoutes auth = new AuthRoutes(vertx, store, tokens);
    sweeper = new RunSweeper(vertx, store, redis,
        config.limits().wallMsMax() + config.limits().compileWallMs() + config.queueTimeoutMs() + 120_000, 30_000);
    blobSweeper = new BlobSweeper(vertx, store, 10 * 60_000);

    Router router = Router.router(vertx);
    SessionRunner runner = new SessionRunner(vertx, redis, feeds, submitter, sessionRuns, config);
    SecurityHeaders.mount(router);
    router.route("/ws/execute").handler(ctx -> upgrade(ctx, tokens, feeds, submitter, runner, watches));
    new Collab(vertx, redis, subscriber, store, tokens, gatewayId).mount(router);
    router.route("/v1/sessions/:id/terminal").handler(ctx -> {
      String token = ctx.request().getParam("token");
      tokens.verifyUser(token)
          .onSuccess(user -> ctx.request().toWebSocket()
              .onSuccess(ws -> new TerminalSocket(vertx, ws, redis, feeds, runner, store, user, ctx.pathParam("id"),
                  config.eventTtlS(), config.redis().timeoutMs()).start())
              .onFailure(e -> Http.error(ctx, dev.sandpit.protocol.ErrorCode.BAD_JSON, "not a WebSocket upgrade")))
          .onFailure(e -> Http.error(ctx, dev.sandpit.protocol.ErrorCode.UNAUTHORIZED, "invalid, expired or missing token"));
    });
    router.route("/v1/*").handler(BodyHandler.create().setBodyLimit(ApiRoutes.v1BodyLimit(config)));
    router.route("/api/*").handler(BodyHandler.create().setBodyLimit(ApiRoutes.apiBodyLimit(config)));
    ApiRoutes api = new ApiRoutes(vertx, redis, fleet, config);
    api.mountPublic(router);
    auth.mount(router);
    sessions.mountPublic(router);
    auth.mountProtected(router);
    sessions.mount(router, auth.authenticator());
    new V1Routes(vertx, store, runner, config.sessions(), events).mount(router, auth.authenticator());
    api.mountFallbacks(router);

    HttpServerOptions opts = new HttpServerOptions()
        .setMaxWebSocketFrameSize(config.maxMessageBytes())
        .setMaxWebSocketMessageSize(config.maxMessageBytes())
        .setCompressionSupported(true)
        .setTcpNoDelay(true);
    server = vertx.createHttpServer(opts).requestHandler(router);
    this.router = router;
    return subscriber.start()
        .compose(v -> fleet.start())
        .compose(v -> server.listen(config.port(), config.host()))
        .onSuccess(s -> {
          reaper.start();
          sweeper.start();
          blobSweeper.start();
          log.info("gateway {} listening on http://{}:{}", gatewayId, config.host(), s.actualPort());
        });
  }

  /** {@code /ws/execute}: an optional {@code ?token=} names the user (required when auth is required). */
  private void upgrade(io.vertx.ext.web.RoutingContext ctx, Tokens tokens, Feeds feeds, JobSubmitter submitter,
      SessionRunner runner, Watches watches) {
    String token = ctx.request().getParam("token");
    Future<dev.sandpit.protocol.ServerEvent.By> user = token == null || token.isEmpty()
        ? (config.auth().required()
            ? Future.failedFuture("missing token")
            : Future.succeededFuture(null))
        : tokens.verifyUser(token);
    user.onSuccess(by -> ctx.request().toWebSocket()
            .onSuccess(ws -> new ExecuteSocket(vertx, ws, redis, feeds, submitter, config, by, runner, watches).start())
            .onFailure(e -> {
              if (!ctx.response().ended()) Http.error(ctx, dev.sandpit.protocol.ErrorCode.BAD_JSON, "not a WebSocket upgrade: " + e.getMessage());
            }))
        .onFailure(e -> {
          // a browser cannot read the status of a refused handshake: upgrade, then close with
          // the protocol's close code for unauthorized (4401); other clients get the 401 body
          if ("websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
            ctx.request().toWebSocket()
                .onSuccess(ws -> ws.close((short) dev.sandpit.protocol.ErrorCode.UNAUTHORIZED.closeCode(), "invalid, expired or missing token"))
                .onFailure(x -> Http.error(ctx, dev.sandpit.protocol.ErrorCode.UNAUTHORIZED, "invalid, expired or missing token"));
          } else {
            Http.error(ctx, dev.sandpit.protocol.ErrorCode.UNAUTHORIZED, "invalid, expired or missing token");
          }
        });
  }

  @Override
  public Future<?> stop() {
    reaper.stop();
    sweeper.stop();
    blobSweeper.stop();
    fleet.stop();
    return server.close().eventually(() -> subscriber.close()).eventually(() -> vertx.executeBlocking(() -> {
      store.close();
      return null;
    }));
  }

  /** The router, for the test that checks every route is in the OpenAPI document. */
  public Router router() {
    return router;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.actualPort();
  }

  public Fleet fleet() {
    return fleet;
  }

  public Reaper reaper() {
    return reaper;
  }
}
