package dev.sandpit.gateway;

import dev.sandpit.bus.Subscriber;
import dev.sandpit.gateway.http.ApiRoutes;
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

  public GatewayVerticle(GatewayConfig config) {
    this.config = config;
    this.gatewayId = "gw-" + JobSubmitter.newJobId().substring(0, 12);
  }

  @Override
  public Future<?> start() {
    redis = config.redis().client(vertx, 32);
    subscriber = new Subscriber(vertx, redis, config.redis().timeoutMs());
    Feeds feeds = new Feeds(subscriber);
    fleet = new Fleet(vertx, redis, config.redis().timeoutMs());
    reaper = new Reaper(vertx, redis, gatewayId, config.reaperIntervalMs(), config.redis().timeoutMs(), config.eventTtlS());
    JobSubmitter submitter = new JobSubmitter(redis, config, fleet);

    Router router = Router.router(vertx);
    new ApiRoutes(vertx, redis, fleet, config).mount(router);

    HttpServerOptions opts = new HttpServerOptions()
        .setMaxWebSocketFrameSize(config.maxMessageBytes())
        .setMaxWebSocketMessageSize(config.maxMessageBytes())
        .setCompressionSupported(true)
        .setTcpNoDelay(true);
    server = vertx.createHttpServer(opts)
        .webSocketHandshakeHandler(hs -> {
          if (hs.path().equals("/ws/execute")) hs.accept();
          else hs.reject(404);
        })
        .webSocketHandler(ws -> new ExecuteSocket(vertx, ws, redis, feeds, submitter, config).start())
        .requestHandler(router);
    return subscriber.start()
        .compose(v -> fleet.start())
        .compose(v -> server.listen(config.port(), config.host()))
        .onSuccess(s -> {
          reaper.start();
          log.info("gateway {} listening on http://{}:{}", gatewayId, config.host(), s.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    reaper.stop();
    fleet.stop();
    return server.close().eventually(() -> subscriber.close());
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
