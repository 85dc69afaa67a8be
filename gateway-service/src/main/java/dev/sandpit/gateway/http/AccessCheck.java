package dev.sandpit.gateway.http;

import static dev.sandpit.gateway.http.Http.blocking;

import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** The guard every session-scoped route shares: the caller's role in the session named by {@code :id}. */
public final class AccessCheck {
  private final Vertx vertx;
  private final Store store;

  public AccessCheck(Vertx vertx, Store store) {
    this.vertx = vertx;
    this.store = store;
  }

  /** Load the session with the caller's role; 404 when the caller may not see it, 403 when the role is too low. */
  void withAccess(RoutingContext ctx, String needed, Function<SessionAccess, Future<?>> then) {
    String user = ctx.get(AuthRoutes.USER);
    String id = ctx.pathParam("id");
    blocking(vertx, () -> SessionAccess.require(store.access(id, user), needed))
        .compose(then::apply)
        .onFailure(e -> Http.fail(ctx, e));
  }
}
