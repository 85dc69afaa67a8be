package dev.sandpit.gateway.http;

import static dev.sandpit.gateway.http.Http.blocking;
import static dev.sandpit.gateway.http.Http.body;
import static dev.sandpit.gateway.http.Http.string;

import dev.sandpit.gateway.SessionConfig;
import dev.sandpit.gateway.feed.SessionEvents;
import dev.sandpit.gateway.store.FileContent;
import dev.sandpit.gateway.store.FileMeta;
import dev.sandpit.gateway.store.FileWrite;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.FileNames;
import dev.sandpit.protocol.ProtocolException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A session's workspace files: list (flat and as a tree), read (JSON or raw), write with an
 * optional expected version (If-Match), rename and delete. Reading needs a viewer, changing an
 * editor ({@link AccessCheck}); every change is published as {@code files_changed}.
 */
public final class FileRoutes {
  private final Vertx vertx;
  private final Store store;
  private final SessionConfig limits;
  private final SessionEvents events;
  private final AccessCheck access;

  public FileRoutes(Vertx vertx, Store store, SessionConfig limits, SessionEvents events, AccessCheck access) {
    this.vertx = vertx;
    this.store = store;
    this.limits = limits;
    this.events = events;
    this.access = access;
  }

  /** Routes that need an authenticated user: each checks the token first ({@code authn}), so an unknown path is 404 whoever asks. */
  public void mount(Router router, Handler<RoutingContext> authn) {
    router.get("/api/sessions/:id/files").handler(authn).handler(this::listFiles);
    router.get("/api/sessions/:id/files/*").handler(authn).handler(this::readFile);
    router.put("/api/sessions/:id/files/*").handler(authn).handler(this::writeFile);
    router.patch("/api/sessions/:id/files/*").handler(authn).handler(this::renameFile);
    router.delete("/api/sessions/:id/files/*").handler(authn).handler(this::deleteFile);
  }

  // ---- files ----

  private void listFiles(RoutingContext ctx) {
    access.withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> store.listFiles(a.session().id()))
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
    access.withAccess(ctx, SessionAccess.VIEWER, a -> blocking(vertx, () -> store.readFile(a.session().id(), path)
            .orElseThrow(() -> new StoreException(StoreException.Code.NOT_FOUND, "no file '" + path + "'")))
        .onSuccess(f -> {
          ctx.response().putHeader("ETag", "\"" + f.meta().version() + "\"");
          if (raw) {
            ctx.response().putHeader("content-type", f.meta().binary() ? "application/octet-stream" : "text/plain; charset=utf-8")
                .end(Buffer.buffer(f.content()));
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
    // over a limit: the store's quota error names its scope, and Http answers for it
    access.withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx,
        () -> store.writeFile(a.session().id(), w.path(), w.content(), w.binary(), expected, limits.fileLimits())
    ).onSuccess(m -> {
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
    access.withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> {
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
    access.withAccess(ctx, SessionAccess.EDITOR, a -> blocking(vertx, () -> store.deleteFile(a.session().id(), path))
        .onSuccess(n -> {
          if (n == 0) {
            Http.error(ctx, ErrorCode.NOT_FOUND, "no file '" + path + "'");
            return;
          }
          events.publish(a.session().id(), "files_changed", new JsonObject().put("paths", new JsonArray().add(path)));
          ctx.response().setStatusCode(204).end();
        }));
  }

  // ---- helpers ----

  static String filePath(RoutingContext ctx) {
    String p = ctx.pathParam("*");
    if (p == null || p.isEmpty()) throw new ProtocolException(ErrorCode.MISSING_FIELD, "a file path is required");
    try {
      // percent-decode (not '+'): %00, %2e%2e and %0a are judged as the characters they are
      p = URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
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
    return new JsonArray(fs.stream().map(FileRoutes::meta).toList());
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
}
