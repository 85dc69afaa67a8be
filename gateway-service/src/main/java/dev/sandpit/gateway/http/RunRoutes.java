package dev.sandpit.gateway.http;

import static dev.sandpit.gateway.http.Http.blocking;

import dev.sandpit.gateway.store.Chunk;
import dev.sandpit.gateway.store.Page;
import dev.sandpit.gateway.store.RunRecord;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.gateway.store.User;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Run history: a session's runs (viewer or above) and one run with its transcript and the snapshot
 * of the files it ran (anyone who can see the run's session; otherwise 404).
 */
public final class RunRoutes {
  private final Vertx vertx;
  private final Store store;
  private final AccessCheck access;

  public RunRoutes(Vertx vertx, Store store, AccessCheck access) {
    this.vertx = vertx;
    this.store = store;
    this.access = access;
  }

  /** Routes that need an authenticated user: each checks the token first ({@code authn}), so an unknown path is 404 whoever asks. */
  public void mount(Router router, Handler<RoutingContext> authn) {
    router.get("/api/sessions/:id/runs").handler(authn).handler(this::listRuns);
    router.get("/api/runs/:id").handler(authn).handler(this::getRun);
  }

  // ---- history ----

  private void listRuns(RoutingContext ctx) {
    int offset, limit;
    try {
      offset = Http.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
      limit = Http.intParam(ctx, "limit", Http.PAGE_DEFAULT_ITEMS, 1, Http.PAGE_MAX_ITEMS);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    access.withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> {
      Page<RunRecord> p = store.listRuns(a.session().id(), offset, limit);
      Map<String, String> names = new HashMap<>();
      return Http.page(p, r -> runJson(r).put("user_name", names.computeIfAbsent(r.userId(), this::userName)));
    }).onSuccess(j -> Http.json(ctx, 200, j)));
  }

  private void getRun(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    String id = ctx.pathParam("id");
    blocking(vertx, () -> {
      RunRecord r = store.run(id).orElseThrow(() -> new StoreException(StoreException.Code.NOT_FOUND, "no such run"));
      store.access(r.sessionId(), user).orElseThrow(() -> new StoreException(StoreException.Code.NOT_FOUND, "no such run"));
      JsonObject j = runJson(r).put("user_name", userName(r.userId()));
      JsonArray transcript = new JsonArray();
      for (Chunk c : store.chunks(id)) transcript.add(new JsonObject().put("seq", c.seq()).put("stream", c.stream()).put("data", c.data()));
      j.put("transcript", transcript);
      JsonArray files = new JsonArray();
      if (r.snapshot() != null) {
        JsonObject manifest = new JsonObject(new String(store.blob(r.snapshot()).orElse("{}".getBytes()), StandardCharsets.UTF_8));
        for (String path : new TreeSet<>(manifest.fieldNames())) {
          byte[] content = store.blob(manifest.getString(path)).orElse(new byte[0]);
          files.add(FileRoutes.encodeContent(new JsonObject().put("path", path), content));
        }
      }
      j.put("files", files);
      j.put("live", r.endedAt() == null);
      return j;
    }).onSuccess(j -> Http.json(ctx, 200, j)).onFailure(e -> Http.fail(ctx, e));
  }

  // ---- helpers ----

  /** Blocking: the username of a run's user, for "started by …" (null when the user is gone). */
  private String userName(String userId) {
    return userId == null ? null : store.userById(userId).map(User::username).orElse(null);
  }

  static JsonObject runJson(RunRecord r) {
    return new JsonObject().put("id", r.id()).put("session_id", r.sessionId()).put("user_id", r.userId()).put("language", r.language())
        .put("snapshot", r.snapshot()).put("stdin", r.stdin()).put("started_at", r.startedAt()).put("status", r.status())
        .put("exit_code", r.exitCode()).put("wall_ms", r.wallMs()).put("cpu_ms", r.cpuMs()).put("memory_kb", r.memoryKb())
        .put("ended_at", r.endedAt()).put("transcript_bytes", r.transcriptBytes()).put("transcript_capped", r.transcriptCapped())
        .put("transcript_cap", r.transcriptCap());
  }
}
