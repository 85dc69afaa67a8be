package dev.sandpit.gateway.http;

import static dev.sandpit.gateway.http.Http.blocking;
import static dev.sandpit.gateway.http.Http.body;
import static dev.sandpit.gateway.http.Http.string;

import dev.sandpit.gateway.SessionConfig;
import dev.sandpit.gateway.feed.SessionEvents;
import dev.sandpit.gateway.jobs.JobSubmitter;
import dev.sandpit.gateway.store.FileWrite;
import dev.sandpit.gateway.store.Session;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.SessionSettings;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.protocol.CompilerFlags;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.ProtocolException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Sessions themselves (create, list, read, rename, delete, settings) and starter templates. A user
 * reaches only sessions they own or that were shared with them: anything else is 404, so ids do not
 * leak; a member whose role is too low gets 403 (see {@link AccessCheck}). Roles: viewer (read,
 * watch) &lt; runner (also run and type input) &lt; editor (also change files) &lt; owner (also
 * rename, share, delete). Files are {@link FileRoutes}, share links {@link ShareRoutes}, run
 * history {@link RunRoutes}.
 */
public final class SessionRoutes {
  /** Longest session name, and longest search text, in characters. */
  private static final int NAME_MAX_CHARS = 200;
  private static final int QUERY_MAX_CHARS = 200;
  private final Vertx vertx;
  private final Store store;
  private final SessionConfig limits;
  private final SessionEvents events;
  private final AccessCheck access;
  private final JsonArray templates;

  public SessionRoutes(Vertx vertx, Store store, SessionConfig limits, SessionEvents events, AccessCheck access) {
    this.vertx = vertx;
    this.store = store;
    this.limits = limits;
    this.events = events;
    this.access = access;
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
  public void mount(Router router, Handler<RoutingContext> authn) {
    router.post("/api/sessions").handler(authn).handler(this::create);
    router.get("/api/sessions").handler(authn).handler(this::list);
    router.get("/api/sessions/:id").handler(authn).handler(this::get);
    router.patch("/api/sessions/:id").handler(authn).handler(this::update);
    router.delete("/api/sessions/:id").handler(authn).handler(this::delete);
    router.get("/api/sessions/:id/settings").handler(authn).handler(this::getSettings);
    router.put("/api/sessions/:id/settings").handler(authn).handler(this::putSettings);
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
        FileWrite w = FileRoutes.fileWrite(string(f, "path", true), f);
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
          // the same limit in the words of the person creating; Http answers for the scope
          throw StoreException.quota(e.scope(), "your sessions would be over your limit of " + limits.userMaxBytes() + " bytes");
        }
        throw e;
      }
      return sessionJson(s, SessionAccess.OWNER).put("files", FileRoutes.metas(store.listFiles(s.id())));
    }).onSuccess(j -> Http.json(ctx, 201, j)).onFailure(e -> Http.fail(ctx, e));
  }

  private void list(RoutingContext ctx) {
    String user = ctx.get(AuthRoutes.USER);
    int offset, limit;
    String q = ctx.request().getParam("q"), lang = ctx.request().getParam("language");
    try {
      offset = Http.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
      limit = Http.intParam(ctx, "limit", Http.PAGE_DEFAULT_ITEMS, 1, Http.PAGE_MAX_ITEMS);
      if (lang != null && !lang.isEmpty()) lang = canonicalLanguage(lang);
      if (q != null && q.length() > QUERY_MAX_CHARS) throw new ProtocolException(ErrorCode.INVALID_FIELD, "q is longer than " + QUERY_MAX_CHARS + " characters");
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    String language = lang == null || lang.isEmpty() ? null : lang;
    String query = q == null || q.isBlank() ? null : q;
    blocking(vertx, () -> store.listSessions(user, query, language, offset, limit))
        .onSuccess(p -> Http.json(ctx, 200, Http.page(p, a -> sessionJson(a.session(), a.role()))))
        .onFailure(e -> Http.fail(ctx, e));
  }

  private void get(RoutingContext ctx) {
    access.withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> sessionJson(a.session(), a.role()).put("files", FileRoutes.metas(store.listFiles(a.session().id())))
            .put("settings", settingsJson(store.sessionSettings(a.session().id()).orElse(SessionSettings.NONE))))
        .onSuccess(j -> Http.json(ctx, 200, j)));
  }

  // ---- settings (shared by everyone in the session: the C/C++ compiler and its flags) ----

  static JsonObject settingsJson(SessionSettings s) {
    return new JsonObject().put("compiler", s.compiler()).put("compiler_flags", new JsonArray(s.compilerFlags()));
  }

  private void getSettings(RoutingContext ctx) {
    access.withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> store.sessionSettings(a.session().id()).orElse(SessionSettings.NONE))
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
    access.withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> {
      Language lang = JobSubmitter.language(a.session().language());
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
    access.withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> store.updateSession(a.session().id(), name, language))
        .onSuccess(s -> {
          events.publish(s.id(), "session_updated", new JsonObject().put("name", s.name()).put("language", s.language()));
          Http.json(ctx, 200, sessionJson(s, a.role()));
        }));
  }

  private void delete(RoutingContext ctx) {
    access.withAccess(ctx, SessionAccess.OWNER, a -> blocking(vertx, () -> store.deleteSession(a.session().id()))
        .onSuccess(x -> {
          events.publish(a.session().id(), "session_deleted", null);
          ctx.response().setStatusCode(204).end();
        }));
  }

  // ---- helpers ----

  static String canonicalLanguage(String name) {
    var l = Languages.find(name);
    if (l == null) throw new ProtocolException(ErrorCode.UNKNOWN_LANGUAGE, "unknown language '" + name + "'");
    return l.id();
  }

  static void checkName(String name) {
    if (name.isBlank() || name.length() > NAME_MAX_CHARS) throw new ProtocolException(ErrorCode.INVALID_FIELD, "name: 1 to " + NAME_MAX_CHARS + " characters");
  }

  static JsonObject sessionJson(Session s, String role) {
    JsonObject j = new JsonObject().put("id", s.id()).put("name", s.name()).put("language", s.language()).put("owner_id", s.ownerId())
        .put("created_at", s.createdAt()).put("updated_at", s.updatedAt()).put("version", s.version());
    if (role != null) j.put("role", role);
    return j;
  }
}
