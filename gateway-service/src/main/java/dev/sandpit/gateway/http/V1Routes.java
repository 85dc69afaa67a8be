package dev.sandpit.gateway.http;

import static dev.sandpit.gateway.http.Http.blocking;
import static dev.sandpit.gateway.http.Http.body;
import static dev.sandpit.gateway.http.Http.string;

import dev.sandpit.gateway.SessionConfig;
import dev.sandpit.gateway.feed.SessionEvents;
import dev.sandpit.gateway.feed.Tap;
import dev.sandpit.gateway.jobs.JobSubmitter;
import dev.sandpit.gateway.jobs.SessionRunner;
import dev.sandpit.gateway.store.FileMeta;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.FileNames;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Seed 000's HTTP API under {@code /v1}, on top of sessions: paths in its bodies are workspace
 * paths (a leading '/' is dropped, {@code /workspace/} too), execution answers at once with the
 * run's id and its output streams to the session's watchers (attach with the id).
 */
public final class V1Routes {
  private final Vertx vertx;
  private final Store store;
  private final SessionRunner runner;
  private final SessionConfig limits;
  private final SessionEvents events;

  public V1Routes(Vertx vertx, Store store, SessionRunner runner, SessionConfig limits, SessionEvents events) {
    this.vertx = vertx;
    this.store = store;
    this.runner = runner;
    this.limits = limits;
    this.events = events;
  }

  /** Every route checks the token first ({@code authn}). */
  public void mount(Router router, Handler<RoutingContext> authn) {
    router.post("/v1/sessions/execute/binary").handler(authn).handler(this::executeBinary); // before execute/:language
    router.post("/v1/sessions/execute/:language").handler(authn).handler(this::execute);
    router.post("/v1/sessions/build/:language").handler(authn).handler(this::build);
    router.post("/v1/sessions/files/write").handler(authn).handler(this::write);
    router.post("/v1/sessions/files/read").handler(authn).handler(this::read);
    router.post("/v1/sessions/files/list").handler(authn).handler(this::list);
  }

  /** A seed path ("/src/main.py", "/workspace/build/main") as a workspace path ("src/main.py"). */
  static String workspacePath(String p) {
    if (p == null) return null;
    String s = p;
    if (s.startsWith("/workspace/")) s = s.substring("/workspace/".length());
    while (s.startsWith("/")) s = s.substring(1);
    return FileNames.validate(s);
  }

  private static List<String> strings(JsonObject b, String field) {
    Object a = b.getValue(field);
    List<String> out = new ArrayList<>();
    if (a == null) return out;
    if (!(a instanceof JsonArray arr)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be an array of strings");
    for (Object o : arr) {
      if (!(o instanceof String s)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be an array of strings");
      out.add(s);
    }
    return out;
  }

  /**
   * Seed 000's build: compile the session's sources (a build-only job through the build worker and
   * its cache) and answer when it is done with the compiler's output and the program's path, which
   * {@code execute/binary} then runs.
   */
  private void build(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    String sessionId, output, main, compiler;
    List<String> flags;
    Language lang;
    try {
      JsonObject b = body(ctx);
      sessionId = string(b, "session_id", true);
      List<String> sources = new ArrayList<>();
      for (String src : strings(b, "source_files")) sources.add(workspacePath(src));
      output = workspacePath(b.containsKey("output_binary") ? string(b, "output_binary", true) : "build/main");
      flags = b.containsKey("flags") ? strings(b, "flags") : null; // absent: the session's settings
      compiler = string(b, "compiler", false);
      String l = ctx.pathParam("language");
      lang = JobSubmitter.language(l.equals("cpp") && !sources.isEmpty() && sources.stream().allMatch(x -> x.endsWith(".c")) ? "c" : l);
      if (!lang.compiled()) throw new ProtocolException(ErrorCode.INVALID_FIELD, lang.id() + " is not a compiled language");
      main = sources.isEmpty() ? null : sources.get(0);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    String jobId = JobSubmitter.newJobId();
    ClientMessage.Execute m = new ClientMessage.Execute(lang.id(), null, null, null, null, null, flags, null, sessionId, main, compiler);
    runner.start(user, jobId, m, JobSpec::asBuildOnly)
        .compose(spec -> outcome(jobId, runner.config().limits().compileWallMs() + 60_000))
        .compose(o -> {
          if (o.complete().status() != RunStatus.OK) return Future.succeededFuture(o.json(jobId, null));
          return runner.redis().send(Request.cmd(Command.GET).arg(Keys.builtArtifact(jobId)))
              .compose(hash -> {
                if (hash == null) return Future.failedFuture(new ProtocolException(ErrorCode.INTERNAL, "the build left no program"));
                JsonObject binary = new JsonObject().put("artifact", hash.toString()).put("language", lang.id()).put("build_id", jobId);
                return runner.redis().send(Request.cmd(Command.SET)
                        .arg(Keys.sessionBinary(sessionId, output)).arg(binary.encode()).arg("EX").arg(3600))
                    .map(x -> o.json(jobId, "/workspace/" + output));
              });
        })
        .onSuccess(j -> Http.json(ctx, 200, j))
        .onFailure(e -> Http.fail(ctx, e));
  }

  /** What a build-only job ended with. */
  private record Outcome(ServerEvent.Compile compile, ServerEvent.Complete complete) {
    JsonObject json(String jobId, String artifact) {
      boolean ok = complete.status() == RunStatus.OK;
      JsonObject j = new JsonObject().put("build_id", jobId).put("status", ok ? "success" : "error")
          .put("stdout", ok ? "Compiled successfully" + (compile != null && Boolean.TRUE.equals(compile.cached()) ? " (cached)" : "") : "")
          .put("stderr", compile == null || compile.output() == null ? String.valueOf(complete.message()) : compile.output())
          .put("artifacts", artifact == null ? new JsonArray() : new JsonArray().add(artifact));
      if (compile != null) {
        j.put("cached", Boolean.TRUE.equals(compile.cached())).put("duration_ms", compile.durationMs())
            .put("diagnostics", new JsonArray(Codec.toJson(compile.diagnostics() == null ? List.of() : compile.diagnostics())));
      }
      if (!ok) j.put("message", complete.message()).put("job_status", complete.status().wire());
      return j;
    }
  }

  /** Follow a job on this gateway until it completes (or the deadline passes). */
  private Future<Outcome> outcome(String jobId, long timeoutMs) {
    Promise<Outcome> p = Promise.promise();
    ServerEvent.Compile[] compile = new ServerEvent.Compile[1];
    Tap[] tap = new Tap[1];
    tap[0] = new Tap(jobId, 0, runner.redis(), runner.config().redis().timeoutMs(), json -> {
      var e = Codec.decodeEvent(json);
      if (e instanceof ServerEvent.Compile c) compile[0] = c;
      if (e instanceof ServerEvent.Complete c) p.tryComplete(new Outcome(compile[0], c));
    }, t -> runner.feeds().detach(t));
    runner.feeds().attach(tap[0]).onSuccess(v -> tap[0].fill()).onFailure(p::tryFail);
    long timer = vertx.setTimer(timeoutMs, t -> p.tryFail(new ProtocolException(ErrorCode.UNAVAILABLE, "the build did not finish in time")));
    return p.future().andThen(ar -> {
      vertx.cancelTimer(timer);
      runner.feeds().detach(tap[0]);
    });
  }

  /**
   * Seed 000's binary run: the program a build/cpp of this session made, run like any session run.
   * {@code stdin}, as in {@code execute/:language}, is written first and then stdin is closed, so a
   * program that reads to EOF ends; without it stdin stays open for input over the WebSocket.
   */
  private void executeBinary(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    String sessionId, path, stdin;
    List<String> args;
    try {
      JsonObject b = body(ctx);
      sessionId = string(b, "session_id", true);
      path = workspacePath(string(b, "binary_path", true));
      args = strings(b, "args");
      stdin = string(b, "stdin", false);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    runner.redis().send(Request.cmd(Command.GET).arg(Keys.sessionBinary(sessionId, path)))
        .compose(r -> {
          if (r == null) return Future.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no built program at '/" + path + "' (build it first; builds are kept an hour)"));
          JsonObject bin = new JsonObject(r.toString());
          String jobId = JobSubmitter.newJobId();
          ClientMessage.Execute m = new ClientMessage.Execute(bin.getString("language"), null, null, stdin, args, null, null, null, sessionId, null);
          return runner.start(user, jobId, m, spec -> spec.withBuiltArtifact(bin.getString("artifact"), null)).map(spec -> jobId);
        })
        .onSuccess(jobId -> Http.json(ctx, 200, new JsonObject().put("execution_id", jobId).put("status", "running").putNull("pid")
            .put("session_id", sessionId).put("attach", new JsonObject().put("type", "attach").put("job_id", jobId).put("after_seq", 0))))
        .onFailure(e -> Http.fail(ctx, e));
  }

  private void execute(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    JsonObject b;
    String sessionId, code, path;
    Language lang;
    List<String> args = new ArrayList<>();
    try {
      b = body(ctx);
      sessionId = string(b, "session_id", true);
      lang = JobSubmitter.language(b.containsKey("language") ? string(b, "language", true) : ctx.pathParam("language"));
      code = string(b, "code", false);
      String fp = string(b, "file_path", false);
      path = fp == null ? null : workspacePath(fp);
      Object a = b.getValue("args");
      if (a != null) {
        if (!(a instanceof JsonArray arr)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "'args' must be an array of strings");
        for (Object o : arr) {
          if (!(o instanceof String s)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "'args' must be an array of strings");
          args.add(s);
        }
      }
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    String main = path != null ? path : code != null ? lang.main() : null;
    String jobId = JobSubmitter.newJobId();
    Future<Void> saved = code == null ? Future.succeededFuture() : Http.<Void>blocking(vertx, () -> {
      access(sessionId, user, SessionAccess.EDITOR); // saving the code needs an editor; running alone a runner
      store.writeFile(sessionId, main, code.getBytes(StandardCharsets.UTF_8), false, null, limits.fileLimits());
      return null;
    }).onSuccess(v -> events.publish(sessionId, "files_changed", new JsonObject().put("paths", new JsonArray().add(main))));
    ClientMessage.Execute m = new ClientMessage.Execute(lang.id(), null, null, string(b, "stdin", false), args, null, null, null, sessionId, main);
    saved.compose(v -> runner.start(user, jobId, m))
        .onSuccess(spec -> Http.json(ctx, 200, new JsonObject().put("execution_id", jobId).put("status", "running").putNull("pid")
            .put("session_id", sessionId).put("attach", new JsonObject().put("type", "attach").put("job_id", jobId).put("after_seq", 0))))
        .onFailure(e -> Http.fail(ctx, e));
  }

  private void write(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    String sessionId, path, content;
    try {
      JsonObject b = body(ctx);
      sessionId = string(b, "session_id", true);
      path = workspacePath(string(b, "path", true));
      content = string(b, "content", true);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    blocking(vertx, () -> {
      SessionAccess a = access(sessionId, user, SessionAccess.EDITOR);
      return store.writeFile(a.session().id(), path, content.getBytes(StandardCharsets.UTF_8), false, null, limits.fileLimits());
    }).onSuccess(m -> {
      events.publish(sessionId, "files_changed", new JsonObject().put("paths", new JsonArray().add(m.path())));
      Http.json(ctx, 200, new JsonObject().put("path", "/" + m.path()).put("size", m.size()).put("version", m.version()).put("status", "written"));
    }).onFailure(e -> Http.fail(ctx, e));
  }

  private void read(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    String sessionId, path;
    try {
      JsonObject b = body(ctx);
      sessionId = string(b, "session_id", true);
      path = workspacePath(string(b, "path", true));
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    blocking(vertx, () -> {
      access(sessionId, user, SessionAccess.VIEWER);
      return store.readFile(sessionId, path).orElseThrow(() -> new StoreException(StoreException.Code.NOT_FOUND, "no file '" + path + "'"));
    }).onSuccess(f -> Http.json(ctx, 200, FileRoutes.fileJson(f).put("path", "/" + f.meta().path())))
        .onFailure(e -> Http.fail(ctx, e));
  }

  private void list(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    String sessionId, dir;
    try {
      JsonObject b = body(ctx);
      sessionId = string(b, "session_id", true);
      String d = string(b, "directory", false);
      dir = d == null || d.equals("/") || d.isEmpty() ? "" : workspacePath(d) + "/";
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    blocking(vertx, () -> {
      access(sessionId, user, SessionAccess.VIEWER);
      return store.listFiles(sessionId);
    }).onSuccess(fs -> {
      JsonArray out = new JsonArray();
      for (FileMeta m : fs) {
        if (m.path().startsWith(dir)) out.add(FileRoutes.meta(m).put("path", "/" + m.path()));
      }
      Http.json(ctx, 200, new JsonObject().put("directory", "/" + dir).put("files", out));
    }).onFailure(e -> Http.fail(ctx, e));
  }

  private SessionAccess access(String sessionId, String user, String needed) {
    return SessionAccess.require(store.access(sessionId, user), needed);
  }
}
