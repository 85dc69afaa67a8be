package dev.sandpit.gateway.http;

import dev.sandpit.gateway.store.Page;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small helpers every REST route shares: JSON replies, one error mapping, blocking store calls off the event loop.
 *
 * <p>The one mapping from a failure to an HTTP status and error code, {@link #fail}:
 *
 * <pre>
 *   failure                                   status  code
 *   ProtocolException(c)                      c's     c             (ErrorCode.httpStatus)
 *   StoreException NOT_FOUND                  404     not_found
 *   StoreException CONFLICT                   409     conflict
 *   StoreException TOO_LARGE                  413     too_large
 *   StoreException QUOTA, scope FILE          413     quota_exceeded
 *   StoreException QUOTA, scope SESSION       413     quota_exceeded
 *   StoreException QUOTA, scope USER, /api/   429     quota_exceeded
 *   StoreException QUOTA, scope USER, /v1/    413     quota_exceeded  (the /v1 API has always answered 413)
 *   StoreException QUOTA, no scope            413     quota_exceeded
 *   StoreException INVALID                    400     invalid_field
 *   StoreException UNAVAILABLE                503     unavailable   (logged; the message says only "try again")
 *   DecodeException (body not JSON)           400     bad_json
 *   ClassCastException (a field's type)       400     invalid_field
 *   anything else                             500     internal      (logged, never shown)
 * </pre>
 *
 * A size that is over a file's or a session's limit is 413 (the request is too large for where it
 * goes); over the user's total it is 429 (the user must make room first).
 */
public final class Http {
  private static final Logger log = LoggerFactory.getLogger(Http.class);
  /** A list's page size when the request names none, and the largest it may name (items). */
  public static final int PAGE_DEFAULT_ITEMS = 20;
  public static final int PAGE_MAX_ITEMS = 100;
  /** The status of a size over a file's or a session's limit (Payload Too Large). */
  private static final int SIZE_OVER_LIMIT_STATUS = 413;
  /** Paths of the /v1 API, whose quota failures are all {@link #SIZE_OVER_LIMIT_STATUS}. */
  private static final String V1_PREFIX = "/v1/";

  private Http() {}

  public static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) return;
    String s = body instanceof JsonObject o ? o.encode() : body instanceof JsonArray a ? a.encode() : String.valueOf(body);
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(s);
  }

  public static void error(RoutingContext ctx, ErrorCode code, String message) {
    error(ctx, code.httpStatus(), code, message);
  }

  public static void error(RoutingContext ctx, int status, ErrorCode code, String message) {
    json(ctx, status, new JsonObject().put("code", code.wire()).put("message", message));
  }

  /** Map any failure to a coded JSON error; unexpected ones are logged, never shown. */
  public static void fail(RoutingContext ctx, Throwable e) {
    if (e instanceof ProtocolException p) {
      error(ctx, p.code(), p.getMessage());
    } else if (e instanceof StoreException s) {
      switch (s.code()) {
        case NOT_FOUND -> error(ctx, ErrorCode.NOT_FOUND, s.getMessage());
        case CONFLICT -> error(ctx, ErrorCode.CONFLICT, s.getMessage());
        case TOO_LARGE -> error(ctx, ErrorCode.TOO_LARGE, s.getMessage());
        case QUOTA -> error(ctx, quotaStatus(s.scope(), ctx.request().path()), ErrorCode.QUOTA_EXCEEDED, s.getMessage());
        case INVALID -> error(ctx, ErrorCode.INVALID_FIELD, s.getMessage());
        case UNAVAILABLE -> {
          log.error("store unavailable on {} {}", ctx.request().method(), ctx.request().path(), e.getCause());
          error(ctx, ErrorCode.UNAVAILABLE, "the store is unavailable; try again");
        }
      }
    } else if (e instanceof DecodeException) {
      error(ctx, ErrorCode.BAD_JSON, "the body is not valid JSON");
    } else if (e instanceof ClassCastException) {
      error(ctx, ErrorCode.INVALID_FIELD, "a field has the wrong type");
    } else {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), e);
      error(ctx, ErrorCode.INTERNAL, "internal error");
    }
  }

  /** The status of a quota failure: see the table above. */
  static int quotaStatus(StoreException.Scope scope, String path) {
    if (scope == StoreException.Scope.USER && !path.startsWith(V1_PREFIX)) return ErrorCode.QUOTA_EXCEEDED.httpStatus();
    return SIZE_OVER_LIMIT_STATUS;
  }

  /** Run blocking work (JDBC, password hashing) on a worker thread. */
  public static <T> Future<T> blocking(Vertx vertx, Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }

  /** The request body as a JSON object (400 bad_json otherwise). */
  public static JsonObject body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) throw new ProtocolException(ErrorCode.BAD_JSON, "a JSON body is required");
    try {
      JsonObject o = ctx.body().asJsonObject();
      if (o == null) throw new ProtocolException(ErrorCode.BAD_JSON, "a JSON body is required");
      return o;
    } catch (DecodeException | ClassCastException e) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "the body is not a JSON object");
    }
  }

  public static String string(JsonObject o, String field, boolean required) {
    Object v = o.getValue(field);
    if (v == null) {
      if (required) throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field '" + field + "'");
      return null;
    }
    if (!(v instanceof String s)) throw new ProtocolException(ErrorCode.INVALID_FIELD, "field '" + field + "' must be a string");
    return s;
  }

  public static int intParam(RoutingContext ctx, String name, int def, int min, int max) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) return def;
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "query parameter '" + name + "' must be a whole number in [" + min + ", " + max + "]");
    }
  }

  /** A page of results as {@code {items, total, offset, limit}}. */
  public static <T> JsonObject page(Page<T> p, Function<T, JsonObject> f) {
    return new JsonObject().put("items", new JsonArray(p.items().stream().map(f).toList())).put("total", p.total())
        .put("offset", p.offset()).put("limit", p.limit());
  }
}
