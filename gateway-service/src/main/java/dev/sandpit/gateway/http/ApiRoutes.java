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

  /** Routes anyone may call. */
  public void mountPublic(Router router) {
    router.get("/health").handler(this::health);
    router.get("/api/languages").handler(this::languages);
    router.get("/api/openapi.json").handler(this::openapi);
    router.get("/api/docs").handler(this::docs);
  }

  /**
   * The OpenAPI document as a browsable page: Swagger UI, built into the frontend's api-docs/. Its
   * scripts and styles come from this origin only, under the one policy every page gets
   * ({@link SecurityHeaders}: Swagger UI sets style attributes, which that policy allows, and no
   * inline script, which it does not).
   */
  private void docs(RoutingContext ctx) {
    String dir = config.frontendDir();
    Path page = dir.isEmpty() ? null : Path.of(dir, "api-docs", "index.html");
    if (page == null || !Files.isRegularFile(page)) {
      error(ctx, 404, ErrorCode.NOT_FOUND, "the API docs page comes with the built frontend (cd frontend && npm run build); the document itself is /api/openapi.json");
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-cache")
        .putHeader("content-type", "text/html; charset=utf-8").sendFile(page.toAbsolutePath().toString());
  }

  /** Last: unknown API routes, the frontend, and the one failure handler. */
  public void mountFallbacks(Router router) {
    router.route("/api/*").handler(ctx -> error(ctx, 404, ErrorCode.NOT_FOUND, "no such API route: " + ctx.request().method() + " " + ctx.request().path()));
    router.route("/v1/*").handler(ctx -> error(ctx, 404, ErrorCode.NOT_FOUND, "no such API route: " + ctx.request().method() + " " + ctx.request().path()));
    String dir = config.frontendDir();
    if (!dir.isEmpty() && Files.isDirectory(Path.of(dir))) {
      String root = Path.of(dir).toAbsolutePath().toString();
      String index = Path.of(root, "index.html").toString();
      // the page itself must be revalidated after a deploy; only the hashed assets are immutable
      router.get("/").handler(ctx -> sendIndex(ctx, index));
      router.get("/index.html").handler(ctx -> sendIndex(ctx, index));
      router.route("/*").handler(StaticHandler.create(FileSystemAccess.ROOT, root).setCachingEnabled(true).setIndexPage("index.html"));
      // client-side routes (/join/<token>, ...): the app, not a 404
      router.get("/*").handler(ctx -> {
        String p = ctx.request().path();
        if (p.startsWith("/api/") || p.startsWith("/v1/") || p.startsWith("/ws/") || p.contains(".")) ctx.next();
        else sendIndex(ctx, index);
      });
    } else {
      router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html"));
    }
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      if (status == 413) error(ctx, 413, ErrorCode.TOO_LARGE, bodyTooLarge(ctx.request().path()));
      else if (status == 400) error(ctx, 400, ErrorCode.BAD_JSON, "bad request");
      else if (ctx.failure() != null && status == 500) Http.fail(ctx, ctx.failure());
      else error(ctx, status, status == 404 ? ErrorCode.NOT_FOUND : ErrorCode.INTERNAL, "request failed");
    });
  }

  /** The body limit of /api: a file at its limit, base64-encoded, plus room for the JSON around it. */
  public static long apiBodyLimit(GatewayConfig config) {
    return Math.max(1 << 20, config.sessions().fileMaxBytes() * 4 / 3 + 65_536);
  }

  /** The body limit of /v1 (seed 000's API sends a file's bytes JSON-escaped). */
  public static long v1BodyLimit(GatewayConfig config) {
    return Math.max(1 << 20, config.sessions().fileMaxBytes() * 2 + 65_536);
  }

  /** The 413 message: the limit that was hit and the file limit behind it, in words. */
  String bodyTooLarge(String path) {
    long limit = path != null && path.startsWith("/v1/") ? v1BodyLimit(config) : apiBodyLimit(config);
    return "the request body is larger than the " + bytes(limit) + " limit (a file may hold at most "
        + bytes(config.sessions().fileMaxBytes()) + ", SANDPIT_FILE_MAX_BYTES)";
  }

  /** 1048576 → "1 MiB", 1466368 → "1.4 MiB", 2048 → "2 KiB", 100 → "100 bytes". */
  static String bytes(long n) {
    if (n >= 1 << 20) return trim(n / (double) (1 << 20)) + " MiB";
    if (n >= 1 << 10) return trim(n / 1024.0) + " KiB";
    return n + " bytes";
  }

  private static String trim(double v) {
    double r = Math.floor(v * 10) / 10;
    return r == Math.floor(r) ? String.valueOf((long) r) : String.valueOf(r);
  }

  private static void sendIndex(RoutingContext ctx, String index) {
    ctx.response().putHeader("Cache-Control", "no-cache").putHeader("content-type", "text/html; charset=utf-8").sendFile(index);
  }

  private void openapi(RoutingContext ctx) {
    try (var in = ApiRoutes.class.getResourceAsStream("/openapi.json")) {
      ctx.response().putHeader("content-type", "application/json").end(io.vertx.core.buffer.Buffer.buffer(in.readAllBytes()));
    } catch (java.io.IOException | NullPointerException e) {
      error(ctx, 500, ErrorCode.INTERNAL, "no OpenAPI document");
    }
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
