package dev.sandpit.gateway.http;

import static dev.sandpit.gateway.http.Http.blocking;
import static dev.sandpit.gateway.http.Http.body;
import static dev.sandpit.gateway.http.Http.string;

import dev.sandpit.gateway.auth.Passwords;
import dev.sandpit.gateway.auth.Tokens;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.gateway.store.User;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.ProtocolException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Accounts (password or one-click guest) and the authentication every other route needs. */
public final class AuthRoutes {
  /** Routing-context key of the authenticated user's id. */
  public static final String USER = "sandpit.user";
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final Store store;
  private final Tokens tokens;

  public AuthRoutes(Vertx vertx, Store store, Tokens tokens) {
    this.vertx = vertx;
    this.store = store;
    this.tokens = tokens;
  }

  /** Public routes. */
  public void mount(Router router) {
    router.post("/api/auth/register").handler(this::register);
    router.post("/api/auth/login").handler(this::login);
    router.post("/api/auth/guest").handler(this::guest);
  }

  /**
   * The handler that checks the Bearer token, put first on each route that needs one. It is not a
   * filter on {@code /api/*}: a path no route serves must be 404 {@code not_found} whatever the
   * caller's credentials, not 401.
   */
  public Handler<RoutingContext> authenticator() {
    return this::authenticate;
  }

  /** Routes of the signed-in user. */
  public void mountProtected(Router router) {
    router.get("/api/auth/me").handler(this::authenticate).handler(this::me);
  }

  private void register(RoutingContext ctx) {
    JsonObject b;
    String username, password;
    try {
      b = body(ctx);
      username = string(b, "username", true);
      password = string(b, "password", true);
      if (!USERNAME.matcher(username).matches()) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "username: 3 to 32 letters, digits, '_', '.' or '-'");
      }
      if (username.startsWith("guest-")) throw new ProtocolException(ErrorCode.INVALID_FIELD, "usernames starting with 'guest-' are reserved");
      if (password.length() < 8 || password.length() > 256) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "password: 8 to 256 characters");
      }
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    blocking(vertx, () -> {
      if (store.userByName(username).isPresent()) throw new StoreException(StoreException.Code.CONFLICT, "username '" + username + "' is taken");
      return store.createUser(username, Passwords.hash(password), false);
    }).onSuccess(u -> Http.json(ctx, 201, session(u))).onFailure(e -> Http.fail(ctx, e));
  }

  private void login(RoutingContext ctx) {
    String username, password;
    try {
      JsonObject b = body(ctx);
      username = string(b, "username", true);
      password = string(b, "password", true);
    } catch (RuntimeException e) {
      Http.fail(ctx, e);
      return;
    }
    blocking(vertx, () -> store.userByName(username).filter(u -> !u.guest() && Passwords.verify(password, u.passwordHash())))
        .onSuccess(u -> {
          if (u.isEmpty()) Http.error(ctx, ErrorCode.UNAUTHORIZED, "wrong username or password");
          else Http.json(ctx, 200, session(u.get()));
        })
        .onFailure(e -> Http.fail(ctx, e));
  }

  private void guest(RoutingContext ctx) {
    byte[] r = new byte[4];
    RANDOM.nextBytes(r);
    String name = "guest-" + HexFormat.of().formatHex(r);
    blocking(vertx, () -> store.createUser(name, null, true))
        .onSuccess(u -> Http.json(ctx, 201, session(u)))
        .onFailure(e -> Http.fail(ctx, e));
  }

  private void me(RoutingContext ctx) {
    String id = ctx.get(USER);
    blocking(vertx, () -> store.userById(id))
        .onSuccess(u -> {
          if (u.isEmpty()) Http.error(ctx, ErrorCode.UNAUTHORIZED, "the account no longer exists");
          else Http.json(ctx, 200, user(u.get()));
        })
        .onFailure(e -> Http.fail(ctx, e));
  }

  private void authenticate(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    String token = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
    if (token == null) {
      Http.error(ctx, ErrorCode.UNAUTHORIZED, "missing Authorization: Bearer token");
      return;
    }
    tokens.verify(token)
        .onSuccess(uid -> {
          ctx.put(USER, uid);
          ctx.next();
        })
        .onFailure(e -> Http.error(ctx, ErrorCode.UNAUTHORIZED, "invalid or expired token"));
  }

  private JsonObject session(User u) {
    return new JsonObject().put("token", tokens.issue(u.id(), u.username(), u.guest())).put("user", user(u));
  }

  static JsonObject user(User u) {
    return new JsonObject().put("id", u.id()).put("username", u.username()).put("guest", u.guest()).put("created_at", u.createdAt());
  }
}
