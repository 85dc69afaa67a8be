package dev.sandpit.gateway.collab;

import dev.sandpit.bus.Subscriber;
import dev.sandpit.gateway.auth.Tokens;
import dev.sandpit.gateway.http.Http;
import dev.sandpit.gateway.store.CollabDocs;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.Keys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live co-editing of session files over the y-websocket protocol: {@code
 * /ws/collab/<session_id>/<encodeURIComponent(path)>?token=<JWT>} (docs/protocol.md, "Co-editing").
 * One per gateway: the open {@link Room}s, the poll that reads their streams, and the compactor
 * that folds a document's stream into its stored state under a Redis lease.
 */
public final class Collab {
  private static final Logger log = LoggerFactory.getLogger(Collab.class);
  static final String PREFIX = "/ws/collab/";
  private static final String PREFIX_PATTERN = "/ws/collab/.*";
  /** Every room reads its stream at least this often (a lost notice costs at most this much delay). */
  static final long POLL_INTERVAL_MS = 1000;
  /** How often a room that read new entries asks for a compaction. */
  static final long COMPACT_INTERVAL_MS = 2000;
  /** How long a compactor holds a document's lease (a crashed one blocks the others this long). */
  static final long LEASE_MS = 10_000;
  /** Entries younger than this stay in the stream after compaction, so a gateway whose read lags does not miss them. */
  static final long TRIM_GRACE_MS = 10_000;
  /** Stream entries per XRANGE page. */
  static final int RANGE_COUNT = 1000;
  /** Stream entries one compaction folds at most (the next one takes the rest). */
  static final int COMPACT_MAX_ENTRIES = 10_000;
  /** Awareness not renewed for this long is dropped (y-protocols' outdatedTimeout; clients renew every 15 s). */
  static final long AWARENESS_TIMEOUT_MS = 30_000;
  private static final String RELEASE_LEASE_LUA =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

  private final Vertx vertx;
  private final Redis redis;
  private final Subscriber subscriber;
  private final Store store;
  private final CollabDocs docs;
  private final Tokens tokens;
  private final String gatewayId;
  private final long trimGraceMs;
  private final Map<String, Future<Room>> rooms = new HashMap<>();
  private long roomsOpened;

  public Collab(Vertx vertx, Redis redis, Subscriber subscriber, Store store, Tokens tokens, String gatewayId) {
    this(vertx, redis, subscriber, store, tokens, gatewayId, TRIM_GRACE_MS);
  }

  /** With another trim grace (tests: 0, to see the stream emptied by one compaction). */
  Collab(Vertx vertx, Redis redis, Subscriber subscriber, Store store, Tokens tokens, String gatewayId, long trimGraceMs) {
    this.trimGraceMs = trimGraceMs;
    this.vertx = vertx;
    this.redis = redis;
    this.subscriber = subscriber;
    this.store = store;
    this.docs = store.collabDocs();
    this.tokens = tokens;
    this.gatewayId = gatewayId;
  }

  /** Mount the endpoint and start the poll and the compactor (timers of the calling verticle: undeploying it stops them). */
  public Collab mount(Router router) {
    // a regex route: the path is one percent-encoded segment, read raw (see target)
    router.routeWithRegex(PREFIX_PATTERN).handler(this::handle);
    vertx.setPeriodic(POLL_INTERVAL_MS, t -> poll());
    vertx.setPeriodic(COMPACT_INTERVAL_MS, t -> compactActive());
    return this;
  }

  Vertx vertx() {
    return vertx;
  }

  Redis redis() {
    return redis;
  }

  Subscriber subscriber() {
    return subscriber;
  }

  CollabDocs docs() {
    return docs;
  }

  String gatewayId() {
    return gatewayId;
  }

  /** Session id and file path of a request path, percent-decoded; null when it names no file. */
  static String[] target(String rawPath) {
    if (rawPath == null || !rawPath.startsWith(PREFIX)) return null;
    String rest = rawPath.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) return null;
    // encodeURIComponent writes a space as %20 and '+' as %2B: a literal '+' is a '+'
    String session = URLDecoder.decode(rest.substring(0, slash).replace("+", "%2B"), StandardCharsets.UTF_8);
    String path = URLDecoder.decode(rest.substring(slash + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    return session.isEmpty() || path.isEmpty() ? null : new String[] {session, path};
  }

  private void handle(RoutingContext ctx) {
    String[] target;
    try {
      target = target(ctx.request().path());
    } catch (IllegalArgumentException e) {
      target = null;
    }
    if (target == null) {
      refuse(ctx, ErrorCode.NOT_FOUND, "the URL must be /ws/collab/<session_id>/<encodeURIComponent(path)>");
      return;
    }
    String sessionId = target[0];
    String path = target[1];
    tokens.verifyUser(ctx.request().getParam("token"))
        .onFailure(e -> refuse(ctx, ErrorCode.UNAUTHORIZED, "invalid, expired or missing token"))
        .onSuccess(user -> ctx.request().toWebSocket()
            .onSuccess(ws -> admit(ws, user.id(), sessionId, path))
            .onFailure(e -> {
              if (!ctx.response().ended()) Http.error(ctx, ErrorCode.BAD_JSON, "not a WebSocket upgrade");
            }));
  }

  /**
   * A browser cannot read the status of a refused handshake: upgrade, then close with the
   * protocol's close code (4000 + HTTP status, as {@code /ws/execute}); other clients get the body.
   */
  private static void refuse(RoutingContext ctx, ErrorCode code, String message) {
    if ("websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      ctx.request().toWebSocket()
          .onSuccess(ws -> ws.close((short) code.closeCode(), message))
          .onFailure(x -> {
            if (!ctx.response().ended()) Http.error(ctx, code, message);
          });
    } else {
      Http.error(ctx, code, message);
    }
  }

  private record Admission(String role, boolean fileExists) {}

  private void admit(ServerWebSocket ws, String userId, String sessionId, String path) {
    ws.pause();
    vertx.executeBlocking(() -> {
      Optional<SessionAccess> a = store.access(sessionId, userId);
      if (a.isEmpty()) return new Admission(null, false);
      boolean exists = store.listFiles(sessionId).stream().anyMatch(f -> f.path().equals(path));
      return new Admission(a.get().role(), exists);
    }, false).onSuccess(adm -> {
      if (adm.role() == null) {
        ws.close((short) ErrorCode.NOT_FOUND.closeCode(), "no such session");
      } else if (!adm.fileExists()) {
        ws.close((short) ErrorCode.NOT_FOUND.closeCode(), "no such file");
      } else if (!ws.isClosed()) {
        CollabSocket socket = new CollabSocket(ws, adm.role());
        room(sessionId, path).onSuccess(r -> {
          if (!ws.isClosed()) socket.attach(r);
          else if (r.empty()) closeRoom(r);
        }).onFailure(e -> {
          log.warn("collab {}:{}: could not open the document: {}", sessionId, path, e.toString());
          ws.close((short) ErrorCode.UNAVAILABLE.closeCode(), "document unavailable");
        });
      }
    }).onFailure(e -> ws.close((short) ErrorCode.UNAVAILABLE.closeCode(), "store unavailable"));
  }

  private Future<Room> room(String sessionId, String path) {
    String key = Keys.collabStream(sessionId, path);
    Future<Room> existing = rooms.get(key);
    if (existing != null) return existing;
    Promise<Room> p = Promise.promise();
    rooms.put(key, p.future());
    Room r = new Room(this, sessionId, path, ++roomsOpened);
    r.open().onComplete(ar -> {
      if (ar.failed() && rooms.get(key) == p.future()) {
        rooms.remove(key);
        r.close();
      }
    }).onComplete(p);
    return p.future();
  }

  /** The room's last local socket left: stop following it and fold what it read into the store. */
  void closeRoom(Room r) {
    Future<Room> f = rooms.get(r.streamKey);
    if (f == null || f.result() != r) return;
    rooms.remove(r.streamKey);
    r.close();
    compact(r.sessionId, r.path);
  }

  private List<Room> openRooms() {
    List<Room> out = new ArrayList<>();
    for (Future<Room> f : rooms.values()) {
      if (f.succeeded()) out.add(f.result());
    }
    return out;
  }

  private void poll() {
    long now = System.currentTimeMillis();
    for (Room r : openRooms()) {
      r.fetch();
      r.pruneAwareness(now, AWARENESS_TIMEOUT_MS);
    }
  }

  private void compactActive() {
    for (Room r : openRooms()) {
      if (r.takeUncompacted() > 0) compact(r.sessionId, r.path);
    }
  }

  /** The stream's entries after {@code from} ({@code (id} exclusive, or an id inclusive), page by page, at most {@code max}. */
  Future<List<StreamEntry>> readStream(String key, String from) {
    return readStream(key, from, new ArrayList<>(), Integer.MAX_VALUE);
  }

  private Future<List<StreamEntry>> readStream(String key, String from, List<StreamEntry> acc, int max) {
    return redis.send(Request.cmd(Command.XRANGE).arg(key).arg(from).arg("+").arg("COUNT").arg(RANGE_COUNT))
        .compose(r -> {
          List<StreamEntry> page = StreamEntry.parse(r);
          acc.addAll(page);
          int raw = r == null ? 0 : r.size();
          if (raw < RANGE_COUNT || acc.size() >= max) return Future.succeededFuture(acc);
          String last = r.get(raw - 1).get(0).toString();
          return readStream(key, "(" + last, acc, max);
        });
  }

  /**
   * Fold the document's stream into its stored state, if no other gateway holds the lease: read the
   * stored state, the entries after it, save the merge over the row read (compare-and-set on the
   * stream id), then trim the stream up to what was saved (but not entries younger than the grace).
   * A session that is gone takes its stream with it.
   */
  Future<Void> compact(String sessionId, String path) {
    String lease = Keys.collabLease(sessionId, path);
    String stream = Keys.collabStream(sessionId, path);
    String token = gatewayId + ":" + UUID.randomUUID();
    return redis.send(Request.cmd(Command.SET).arg(lease).arg(token).arg("NX").arg("PX").arg(LEASE_MS))
        .compose(ok -> {
          if (ok == null) return Future.<Void>succeededFuture();
          return fold(sessionId, path, stream)
              .eventually(() -> redis.send(Request.cmd(Command.EVAL).arg(RELEASE_LEASE_LUA).arg(1).arg(lease).arg(token)));
        })
        .recover(e -> {
          log.debug("collab {}: compaction failed: {}", stream, e.toString());
          return Future.succeededFuture();
        });
  }

  private Future<Void> fold(String sessionId, String path, String stream) {
    return vertx.executeBlocking(() -> docs.load(sessionId, path), false).compose(doc -> {
      String storedId = doc.map(CollabDocs.Doc::streamId).orElse(null);
      return readStream(stream, storedId == null ? "-" : "(" + storedId, new ArrayList<>(), COMPACT_MAX_ENTRIES)
          .compose(entries -> {
            // nothing new: trim what an earlier compaction left for the grace
            if (entries.isEmpty()) return storedId == null ? Future.<Void>succeededFuture() : trim(stream, storedId);
            String upTo = entries.get(entries.size() - 1).id();
            return vertx.executeBlocking(() -> {
              DocState s = DocState.open(doc.map(CollabDocs.Doc::format).orElse(null), doc.map(CollabDocs.Doc::state).orElse(null));
              for (StreamEntry e : entries) s.apply(e.update());
              return docs.save(sessionId, path, s.format(), s.encode(), upTo, storedId);
            }, false).compose(saved -> saved ? trim(stream, upTo) : Future.<Void>succeededFuture(), e -> {
              if (e instanceof StoreException se && se.code() == StoreException.Code.NOT_FOUND) {
                return redis.send(Request.cmd(Command.DEL).arg(stream)).mapEmpty();
              }
              return Future.failedFuture(e);
            });
          });
    });
  }

  private Future<Void> trim(String stream, String upTo) {
    String graceId = (System.currentTimeMillis() - trimGraceMs) + "-0";
    String minId = StreamIds.compare(StreamIds.next(upTo), graceId) <= 0 ? StreamIds.next(upTo) : graceId;
    return redis.send(Request.cmd(Command.XTRIM).arg(stream).arg("MINID").arg(minId)).mapEmpty();
  }

  /** Test hook: the open rooms' stream keys. */
  List<String> openDocuments() {
    List<String> out = new ArrayList<>();
    for (Room r : openRooms()) out.add(r.streamKey);
    return out;
  }
}
