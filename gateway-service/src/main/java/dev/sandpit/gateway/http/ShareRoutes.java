package dev.sandpit.gateway.http;

import static dev.sandpit.gateway.http.Http.blocking;
import static dev.sandpit.gateway.http.Http.body;
import static dev.sandpit.gateway.http.Http.string;

import dev.sandpit.gateway.store.Session;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.Share;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.ProtocolException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Share links and membership: the owner creates, lists and revokes links (each grants viewer,
 * runner or editor); any signed-in user joins through a link and becomes a member with its role.
 */
public final class ShareRoutes {
  private final Vertx vertx;
  private final Store store;
  private final AccessCheck access;

  public ShareRoutes(Vertx vertx, Store store, AccessCheck access) {
    this.vertx = vertx;
    this.store = store;
    this.access = access;
  }

  /** Routes that need an authenticated user: each checks the token first ({@code authn}), so an unknown path is 404 whoever asks. */
  public void mount(Router router, Handler<RoutingContext> authn) {
    router.post("/api/sessions/:id/shares").handler(authn).handler(this::createShare);
    router.get("/api/sessions/:id/shares").handler(authn).handler(this::listShares);
    router.delete("/api/sessions/:id/shares/:token").handler(authn).handler(this::revokeShare);
    router.post("/api/shares/:token/join").handler(authn).handler(this::join);
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
    access.withAccess(ctx, SessionAccess.OWNER, a -> blocking(vertx, () -> store.createShare(a.session().id(), role, user))
        .onSuccess(s -> Http.json(ctx, 201, shareJson(s))));
  }

  private void listShares(RoutingContext ctx) {
    access.withAccess(ctx, SessionAccess.OWNER, a -> blocking(vertx, () -> store.shares(a.session().id()))
        .onSuccess(l -> Http.json(ctx, 200, new JsonObject().put("items", new JsonArray(l.stream().map(ShareRoutes::shareJson).toList())))));
  }

  private void revokeShare(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    access.withAccess(ctx, SessionAccess.OWNER, a -> blocking(vertx, () -> store.revokeShare(a.session().id(), token))
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
      return SessionRoutes.sessionJson(a.session(), a.role());
    }).onSuccess(j -> Http.json(ctx, 200, j)).onFailure(e -> Http.fail(ctx, e));
  }

  // ---- helpers ----

  static JsonObject shareJson(Share s) {
    return new JsonObject().put("token", s.token()).put("session_id", s.sessionId()).put("role", s.role()).put("created_at", s.createdAt())
        .put("join_path", "/api/shares/" + s.token() + "/join").put("revoked", s.revokedAt() != null);
  }
}
