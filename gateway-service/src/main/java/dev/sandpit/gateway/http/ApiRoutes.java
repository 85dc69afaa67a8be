package dev.sandpit.gateway.http;

import dev.sandpit.gateway.GatewayConfig;
import dev.sandpit.gateway.jobs.Fleet;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.WorkerInfo;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** REST routes of the core: health, languages, and the frontend. */
public final class ApiRoutes {
  private final Vertx vertx;
  private final Redis redis;
  private final Fleet fleet;
  private final GatewayConfig config;

  public ApiRoutes(Vertx vertx, Redis redis, Fleet fleet, GatewayConfig config) {
    this.vertx = vertx;
    this.redis = redis;
    this.fleet = fleet;
    this.config = config;
  }

  public void mount(Router router) {
    router.get("/health").handler(this::health);
    router.get("/api/languages").handler(this::languages);
    router.route("/api/*").handler(ctx -> error(ctx, 404, ErrorCode.UNKNOWN_TYPE, "no such API route: " + ctx.request().path()));
    String dir = config.frontendDir();
    if (!dir.isEmpty() && Files.isDirectory(Path.of(dir))) {
      router.route("/*").handler(StaticHandler.create(FileSystemAccess.ROOT, Path.of(dir).toAbsolutePath().toString())
          .setCachingEnabled(true).setIndexPage("index.html"));
    } else {
      router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html"));
    }
    router.route().failureHandler(ctx -> error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, ErrorCode.INTERNAL,
        "internal error"));
  }

  private void health(RoutingContext ctx) {
    redis.send(Request.cmd(Command.PING))
        .timeout(config.redis().timeoutMs(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          JsonObject workers = new JsonObject();
          for (WorkerInfo w : fleet.workers()) workers.put(w.kind(), workers.getInteger(w.kind(), 0) + 1);
          boolean ok = ar.succeeded();
          ctx.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "application/json")
              .end(new JsonObject().put("status", ok ? "ok" : "degraded").put("redis", ok ? "ok" : "unreachable")
                  .put("workers", workers).encode());
        });
  }

  private void languages(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonArray(fleet.languages().stream().map(JsonObject::new).toList()).encode());
  }

  static void error(RoutingContext ctx, int status, ErrorCode code, String message) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("code", code.wire()).put("message", message).encode());
  }
}
