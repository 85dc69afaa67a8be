package dev.sandpit.gateway.http;

import static dev.sandpit.gateway.http.Http.blocking;
import static dev.sandpit.gateway.http.Http.body;
import static dev.sandpit.gateway.http.Http.string;

import dev.sandpit.gateway.SessionConfig;
import dev.sandpit.gateway.feed.SessionEvents;
import dev.sandpit.gateway.store.Chunk;
import dev.sandpit.gateway.store.FileContent;
import dev.sandpit.gateway.store.FileMeta;
import dev.sandpit.gateway.store.FileWrite;
import dev.sandpit.gateway.store.Page;
import dev.sandpit.gateway.store.RunRecord;
import dev.sandpit.gateway.store.Session;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.SessionSettings;
import dev.sandpit.gateway.store.Share;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.gateway.jobs.JobSubmitter;
import dev.sandpit.protocol.CompilerFlags;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.FileNames;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sessions, their workspace files, share links, run history and starter templates. A user reaches
 * only sessions they own or that were shared with them: anything else is 404, so ids do not leak;
 * a member whose role is too low gets 403. Roles: viewer (read, watch) &lt; runner (also run and
 * type input) &lt; editor (also change files) &lt; owner (also rename, share, delete).
 */
public final class SessionRoutes {
  private final Vertx vertx;
  private final Store store;
  private final SessionConfig limits;
  private final SessionEvents events;
  private final JsonArray templates;

  public SessionRoutes(Vertx vertx, Store store, SessionConfig limits, SessionEvents events) {
    this.vertx = vertx;
    this.store = store;
    this.limits = limits;
    this.events = events;
    this.templates = loadTemplates();
  }

  static JsonArray loadTemplates() {
    try (InputStream in = SessionRoutes.class.getResourceAsStream("/templates.json")) {
      return new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public JsonArray templates() {
    return templates;
  }

  /** Public routes. */
  public void mountPublic(Router router) {
    router.get("/api/templates").handler(ctx -> Http.json(ctx, 200, templates));
  }

  /** Routes that need an authenticated user: each checks the token first ({@code authn}), so an unknown path is 404 whoever asks. */
  public void mount(Router router, io.vertx.core.Handler<RoutingContext> authn) {
    router.post("/api/sessions").handler(authn).handler(this::create);
    router.get("/api/sessions").handler(authn).handler(this::list);
    router.get("/api/sessions/:id").handler(authn).handler(this::get);
    router.patch("/api/sessions/:id").handler(authn).handler(this::update);
    router.delete("/api/sessions/:id").handler(authn).handler(this::delete);
    router.get("/api/sessions/:id/settings").handler(authn).handler(this::getSettings);
    router.put("/api/sessions/:id/settings").handler(authn).handler(this::putSettings);
    router.get("/api/sessions/:id/files").handler(authn).handler(this::listFiles);
    router.get("/api/sessions/:id/files/*").handler(authn).handler(this::readFile);
    router.put("/api/sessions/:id/files/*").handler(authn).handler(this::writeFile);
    router.patch("/api/sessions/:id/files/*").handler(authn).handler(this::renameFile);
    router.delete("/api/sessions/:id/files/*").handler(authn).handler(this::deleteFile);
    router.post("/api/sessions/:id/shares").handler(authn).handler(this::createShare);
    router.get("/api/sessions/:id/shares").handler(authn).handler(this::listShares);
    router.delete("/api/sessions/:id/shares/:token").handler(authn).handler(this::revokeShare);
    router.post("/api/shares/:token/join").handler(authn).handler(this::join);
    router.get("/api/sessions/:id/runs").handler(authn).handler(this::listRuns);
    router.get("/api/runs/:id").handler(authn).handler(this::getRun);
  }

  // ---- sessions ----

  private void create(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    String name, language;
    List<FileWrite> files = new ArrayList<>();
    try {
      JsonObject b = body(ctx);
      String template = string(b, "template", false);
      JsonArray fs;
      if (template != null) {
        JsonObject t = templates.stream().map(o -> (JsonObject) o).filter(o -> o.getString("id").equals(template)).findFirst()
            .orElseThrow(() -> new ProtocolException(ErrorCode.INVALID_FIELD, "unknown template '" + template + "'"));
        language = t.getString("language");
        fs = t.getJsonArray("files");
        name = b.containsKey("name") ? string(b, "name", true) : t.getString("name") + " (" + language + ")";
      } else {
        name = string(b, "name", true);
        language = canonicalLanguage(string(b, "language", true));
        Object raw = b.getValue("files");
        if (raw != null && !(raw instanceof JsonArray)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "'files' must be an array");
        fs = raw == null ? new JsonArray() : (JsonArray) raw;
      }
      checkName(name);
      long total = 0;
      for (Object o : fs) {
        if (!(o instanceof JsonObject f)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "every file must be an object");
        FileWrite w = fileWrite(string(f, "path", true), f);
        if (w.content().length > limits.fileMaxBytes()) throw new StoreException(StoreException.Code.TOO_LARGE, "file '" + w.path() + "' is over " + limits.fileMaxBytes() + " bytes");
        total += w.content().length;
        files.add(w);
      }
      if (total > limits.sessionMaxBytes()) throw new StoreException(StoreException.Code.TOO_LARGE, "the files are over the session limit of " + limits.sessionMaxBytes() + " bytes");
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    blocking(vertx, () -> {
      Session s;
      try {
        // the quota is checked in the transaction that creates the session
        s = store.createSession(user, name, language, files, limits.fileLimits());
      } catch (StoreException e) {
        if (e.code() == StoreException.Code.QUOTA) {
          throw new ProtocolException(ErrorCode.QUOTA_EXCEEDED, "your sessions would be over your limit of " + limits.userMaxBytes() + " bytes");
        }
        throw e;
      }
      return sessionJson(s, SessionAccess.OWNER).put("files", metas(store.listFiles(s.id())));
    }).onSuccess(j -> Http.json(ctx, 201, j)).onFailure(e -> Http.fail(ctx, e));
  }

  private void list(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    int offset, limit;
    String q = ctx.request().getParam("q"), lang = ctx.request().getParam("language");
    try {
      offset = Http.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
      limit = Http.intParam(ctx, "limit", 20, 1, 100);
      if (lang != null && !lang.isEmpty()) lang = canonicalLanguage(lang);
      if (q != null && q.length() > 200) throw new ProtocolException(ErrorCode.INVALID_FIELD, "q is longer than 200 characters");
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    String language = lang == null || lang.isEmpty() ? null : lang;
    String query = q == null || q.isBlank() ? null : q;
    blocking(vertx, () -> store.listSessions(user, query, language, offset, limit))
        .onSuccess(p -> Http.json(ctx, 200, page(p, a -> sessionJson(a.session(), a.role()))))
        .onFailure(e -> Http.fail(ctx, e));
  }

  private void get(RoutingContext ctx) {
    withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> sessionJson(a.session(), a.role()).put("files", metas(store.listFiles(a.session().id())))
            .put("settings", settingsJson(store.sessionSettings(a.session().id()).orElse(SessionSettings.NONE))))
        .onSuccess(j -> Http.json(ctx, 200, j)));
  }

  // ---- settings (shared by everyone in the session: the C/C++ compiler and its flags) ----

  static JsonObject settingsJson(SessionSettings s) {
    return new JsonObject().put("compiler", s.compiler()).put("compiler_flags", new JsonArray(s.compilerFlags()));
  }

  private void getSettings(RoutingContext ctx) {
    withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> store.sessionSettings(a.session().id()).orElse(SessionSettings.NONE))
        .onSuccess(s -> Http.json(ctx, 200, settingsJson(s))));
  }

  /**
   * Replace the settings (editor or above): {@code compiler} (null or absent: the language's
   * default) and {@code compiler_flags}, checked against the session's language with the same
   * allowlist as a run's, so what is stored can always run.
   */
  private void putSettings(RoutingContext ctx) {
    JsonObject b;
    try {
      b = body(ctx);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> {
      dev.sandpit.protocol.Language lang = JobSubmitter.language(a.session().language());
      String compiler = string(b, "compiler", false);
      Object raw = b.getValue("compiler_flags");
      List<String> flags = new ArrayList<>();
      if (raw != null) {
        if (!(raw instanceof JsonArray arr)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "'compiler_flags' must be an array of strings");
        for (Object o : arr) {
          if (!(o instanceof String f)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "'compiler_flags' must be an array of strings");
          flags.add(f);
        }
      }
      if (!CompilerFlags.cFamily(lang) && (compiler != null || !flags.isEmpty())) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "only C and C++ sessions have a compiler and compiler flags (this one is " + lang.id() + ")");
      }
      var variant = compiler == null ? null : CompilerFlags.compiler(lang, compiler);
      CompilerFlags.validate(lang, flags);
      return store.updateSessionSettings(a.session().id(), new SessionSettings(variant == null ? null : variant.id(), flags));
    }).onSuccess(s -> {
      events.publish(a.session().id(), "session_updated", new JsonObject().put("settings", settingsJson(s)));
      Http.json(ctx, 200, settingsJson(s));
    }));
  }

  private void update(RoutingContext ctx) {
    String name, language;
    try {
      JsonObject b = body(ctx);
      name = string(b, "name", false);
      String l = string(b, "language", false);
      language = l == null ? null : canonicalLanguage(l);
      if (name != null) checkName(name);
      if (name == null && language == null) throw new ProtocolException(ErrorCode.MISSING_FIELD, "give 'name' and/or 'language'");
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> store.updateSession(a.session().id(), name, language))
        .onSuccess(s -> {
          events.publish(s.id(), "session_updated", new JsonObject().put("name", s.name()).put("language", s.language()));
          Http.json(ctx, 200, sessionJson(s, a.role()));
        }));
  }

  private void delete(RoutingContext ctx) {
    withAccess(ctx, SessionAccess.OWNER, a -> blocking(vertx, () -> store.deleteSession(a.session().id()))
        .onSuccess(x -> {
          events.publish(a.session().id(), "session_deleted", null);
          ctx.response().setStatusCode(204).end();
        }));
  }

  // ---- files ----

  private void listFiles(RoutingContext ctx) {
    withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> store.listFiles(a.session().id()))
        .onSuccess(fs -> Http.json(ctx, 200, new JsonObject().put("files", metas(fs)).put("tree", tree(fs)))));
  }

  private void readFile(RoutingContext ctx) {
    String path;
    try {
      path = filePath(ctx);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    boolean raw = "1".equals(ctx.request().getParam("raw")) || "true".equals(ctx.request().getParam("raw"));
    withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> store.readFile(a.session().id(), path)
            .orElseThrow(() -> new StoreException(StoreException.Code.NOT_FOUND, "no file '" + path + "'")))
        .onSuccess(f -> {
          ctx.response().putHeader("ETag", "\"" + f.meta().version() + "\"");
          if (raw) {
            ctx.response().putHeader("content-type", f.meta().binary() ? "application/octet-stream" : "text/plain; charset=utf-8")
                .end(io.vertx.core.buffer.Buffer.buffer(f.content()));
          } else {
            Http.json(ctx, 200, fileJson(f));
          }
        }));
  }

  private void writeFile(RoutingContext ctx) {
    String path;
    FileWrite w;
    Long expected;
    try {
      path = filePath(ctx);
      JsonObject b = body(ctx);
      w = fileWrite(path, b);
      Object v = b.getValue("version");
      if (v != null && !(v instanceof Number)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "'version' must be a number");
      String ifMatch = ctx.request().getHeader("If-Match");
      expected = v != null ? Long.valueOf(((Number) v).longValue()) : ifMatch != null ? parseEtag(ifMatch) : null;
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> {
      try {
        return store.writeFile(a.session().id(), w.path(), w.content(), w.binary(), expected, limitsFor(a));
      } catch (StoreException e) {
        if (e.code() == StoreException.Code.QUOTA && store.userBytes(a.session().ownerId()) + w.content().length > limits.userMaxBytes()) {
          throw new ProtocolException(ErrorCode.QUOTA_EXCEEDED, e.getMessage());
        }
        throw e;
      }
    }).onSuccess(m -> {
      events.publish(a.session().id(), "files_changed", new JsonObject().put("paths", new JsonArray().add(m.path())));
      ctx.response().putHeader("ETag", "\"" + m.version() + "\"");
      Http.json(ctx, m.version() == 1 ? 201 : 200, meta(m));
    }));
  }

  private void renameFile(RoutingContext ctx) {
    String from, to;
    try {
      from = filePath(ctx);
      to = FileNames.validate(string(body(ctx), "path", true));
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> {
      store.renameFile(a.session().id(), from, to);
      return store.listFiles(a.session().id());
    }).onSuccess(fs -> {
      events.publish(a.session().id(), "files_changed", new JsonObject().put("paths", new JsonArray().add(from).add(to)));
      Http.json(ctx, 200, new JsonObject().put("files", metas(fs)));
    }));
  }

  private void deleteFile(RoutingContext ctx) {
    String path;
    try {
      path = filePath(ctx);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> store.deleteFile(a.session().id(), path))
        .onSuccess(n -> {
          if (n == 0) {
            Http.error(ctx, ErrorCode.NOT_FOUND, "no file '" + path + "'");
            return;
          }
          events.publish(a.session().id(), "files_changed", new JsonObject().put("paths", new JsonArray().add(path)));
          ctx.response().setStatusCode(204).end();
        }));
  }

  // ---- sharing ----

  private void createShare(RoutingContext ctx) {
    String role;
    try {
      role = string(body(ctx), "role", true);
      if (!List.of(SessionAccess.VIEWER, SessionAccess.RUNNER, SessionAccess.EDITOR).contains(role)) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "role must be viewer, runner or editor");
      }
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    String user = ctx.get(AuthRoutes.USER);
    withAccess(ctx, SessionAccess.OWNER, a -> blocking(vertx, () -> store.createShare(a.session().id(), role, user))
        .onSuccess(s -> Http.json(ctx, 201, shareJson(s))));
  }

  private void listShares(RoutingContext ctx) {
    withAccess(ctx, SessionAccess.OWNER, a -> blocking(vertx, () -> store.shares(a.session().id()))
        .onSuccess(l -> Http.json(ctx, 200, new JsonObject().put("items", new JsonArray(l.stream().map(SessionRoutes::shareJson).toList())))));
  }

  private void revokeShare(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    withAccess(ctx, SessionAccess.OWNER, a -> blocking(vertx, () -> store.revokeShare(a.session().id(), token))
        .onSuccess(ok -> {
          if (ok) ctx.response().setStatusCode(204).end();
          else Http.error(ctx, ErrorCode.NOT_FOUND, "no such share link");
        }));
  }

  private void join(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    String token = ctx.pathParam("token");
    blocking(vertx, () -> {
      Share s = store.share(token).orElseThrow(() -> new StoreException(StoreException.Code.NOT_FOUND, "unknown or revoked share link"));
      Session owned = store.access(s.sessionId(), user).map(SessionAccess::session).orElse(null);
      if (owned == null || !owned.ownerId().equals(user)) store.addMember(s.sessionId(), user, s.role(), token);
      SessionAccess a = store.access(s.sessionId(), user).orElseThrow(() -> new StoreException(StoreException.Code.NOT_FOUND, "the session is gone"));
      return sessionJson(a.session(), a.role());
    }).onSuccess(j -> Http.json(ctx, 200, j)).onFailure(e -> Http.fail(ctx, e));
  }

  // ---- history ----

  private void listRuns(RoutingContext ctx) {
    int offset, limit;
    try {
      offset = Http.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
      limit = Http.intParam(ctx, "limit", 20, 1, 100);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> {
      Page<RunRecord> p = store.listRuns(a.session().id(), offset, limit);
      Map<String, String> names = new java.util.HashMap<>();
      return page(p, r -> runJson(r).put("user_name", names.computeIfAbsent(r.userId(), this::userName)));
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
        for (String path : new java.util.TreeSet<>(manifest.fieldNames())) {
          byte[] content = store.blob(manifest.getString(path)).orElse(new byte[0]);
          files.add(encodeContent(new JsonObject().put("path", path), content));
        }
      }
      j.put("files", files);
      j.put("live", r.endedAt() == null);
      return j;
    }).onSuccess(j -> Http.json(ctx, 200, j)).onFailure(e -> Http.fail(ctx, e));
  }

  // ---- helpers ----

  /** Load the session with the caller's role; 404 when the caller may not see it, 403 when the role is too low. */
  private void withAccess(RoutingContext ctx, String needed, java.util.function.Function<SessionAccess, Future<?>> then) {
    String user = ctx.get(AuthRoutes.USER);
    String id = ctx.pathParam("id");
    blocking(vertx, () -> SessionAccess.require(store.access(id, user), needed))
        .compose(then::apply)
        .onFailure(e -> Http.fail(ctx, e));
  }

  private dev.sandpit.gateway.store.FileLimits limitsFor(SessionAccess a) {
    return limits.fileLimits();
  }

  static String canonicalLanguage(String name) {
    var l = Languages.find(name);
    if (l == null) throw new ProtocolException(ErrorCode.UNKNOWN_LANGUAGE, "unknown language '" + name + "'");
    return l.id();
  }

  static void checkName(String name) {
    if (name.isBlank() || name.length() > 200) throw new ProtocolException(ErrorCode.INVALID_FIELD, "name: 1 to 200 characters");
  }

  static String filePath(RoutingContext ctx) {
    String p = ctx.pathParam("*");
    if (p == null || p.isEmpty()) throw new ProtocolException(ErrorCode.MISSING_FIELD, "a file path is required");
    try {
      // percent-decode (not '+'): %00, %2e%2e and %0a are judged as the characters they are
      p = java.net.URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "the file path is not valid percent-encoding");
    }
    return FileNames.validate(p);
  }

  static Long parseEtag(String v) {
    try {
      return Long.parseLong(v.replace("\"", "").replace("W/", "").trim());
    } catch (NumberFormatException e) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "If-Match must be a file version");
    }
  }

  /** A file write from JSON {content, encoding: utf-8|base64}. */
  static FileWrite fileWrite(String path, JsonObject f) {
    FileNames.validate(path);
    String content = string(f, "content", true);
    String encoding = f.getValue("encoding") == null ? "utf-8" : string(f, "encoding", true);
    return switch (encoding) {
      case "utf-8", "utf8", "text" -> new FileWrite(path, content.getBytes(StandardCharsets.UTF_8), false);
      case "base64" -> {
        try {
          yield new FileWrite(path, Base64.getDecoder().decode(content), true);
        } catch (IllegalArgumentException e) {
          throw new ProtocolException(ErrorCode.INVALID_FIELD, "content is not valid base64");
        }
      }
      default -> throw new ProtocolException(ErrorCode.INVALID_FIELD, "encoding must be utf-8 or base64");
    };
  }

  static JsonObject encodeContent(JsonObject into, byte[] content) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
      return into.put("content", text).put("encoding", "utf-8");
    } catch (CharacterCodingException e) {
      return into.put("content", Base64.getEncoder().encodeToString(content)).put("encoding", "base64");
    }
  }

  static JsonObject fileJson(FileContent f) {
    JsonObject j = meta(f.meta());
    if (f.meta().binary()) return j.put("content", Base64.getEncoder().encodeToString(f.content())).put("encoding", "base64");
    return encodeContent(j, f.content());
  }

  static JsonObject meta(FileMeta m) {
    return new JsonObject().put("path", m.path()).put("size", m.size()).put("binary", m.binary()).put("version", m.version())
        .put("updated_at", m.updatedAt());
  }

  static JsonArray metas(List<FileMeta> fs) {
    return new JsonArray(fs.stream().map(SessionRoutes::meta).toList());
  }

  /** The files as a nested tree: directories first-class, each with children. */
  static JsonArray tree(List<FileMeta> fs) {
    Map<String, Object> root = new TreeMap<>();
    for (FileMeta f : fs) {
      String[] parts = f.path().split("/");
      Map<String, Object> dir = root;
      for (int i = 0; i < parts.length - 1; i++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> next = (Map<String, Object>) dir.computeIfAbsent(parts[i] + "/", k -> new TreeMap<String, Object>());
        dir = next;
      }
      dir.put(parts[parts.length - 1], f);
    }
    return treeJson(root, "");
  }

  @SuppressWarnings("unchecked")
  private static JsonArray treeJson(Map<String, Object> dir, String prefix) {
    JsonArray out = new JsonArray();
    for (var e : dir.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> m) {
        String name = e.getKey().substring(0, e.getKey().length() - 1);
        out.add(new JsonObject().put("name", name).put("path", prefix + name).put("type", "dir")
            .put("children", treeJson((Map<String, Object>) m, prefix + name + "/")));
      } else {
        out.add(meta((FileMeta) e.getValue()).put("name", e.getKey()).put("type", "file"));
      }
    }
    return out;
  }

  static JsonObject sessionJson(Session s, String role) {
    JsonObject j = new JsonObject().put("id", s.id()).put("name", s.name()).put("language", s.language()).put("owner_id", s.ownerId())
        .put("created_at", s.createdAt()).put("updated_at", s.updatedAt()).put("version", s.version());
    if (role != null) j.put("role", role);
    return j;
  }

  static JsonObject shareJson(Share s) {
    return new JsonObject().put("token", s.token()).put("session_id", s.sessionId()).put("role", s.role()).put("created_at", s.createdAt())
        .put("join_path", "/api/shares/" + s.token() + "/join").put("revoked", s.revokedAt() != null);
  }

  /** Blocking: the username of a run's user, for "started by …" (null when the user is gone). */
  private String userName(String userId) {
    return userId == null ? null : store.userById(userId).map(dev.sandpit.gateway.store.User::username).orElse(null);
  }

  static JsonObject runJson(RunRecord r) {
    return new JsonObject().put("id", r.id()).put("session_id", r.sessionId()).put("user_id", r.userId()).put("language", r.language())
        .put("snapshot", r.snapshot()).put("stdin", r.stdin()).put("started_at", r.startedAt()).put("status", r.status())
        .put("exit_code", r.exitCode()).put("wall_ms", r.wallMs()).put("cpu_ms", r.cpuMs()).put("memory_kb", r.memoryKb())
        .put("ended_at", r.endedAt()).put("transcript_bytes", r.transcriptBytes()).put("transcript_capped", r.transcriptCapped())
        .put("transcript_cap", r.transcriptCap());
  }

  static <T> JsonObject page(Page<T> p, java.util.function.Function<T, JsonObject> f) {
    return new JsonObject().put("items", new JsonArray(p.items().stream().map(f).toList())).put("total", p.total())
        .put("offset", p.offset()).put("limit", p.limit());
  }
}
