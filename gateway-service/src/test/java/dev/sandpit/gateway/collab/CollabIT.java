package dev.sandpit.gateway.collab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.bus.Subscriber;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.Settings;
import dev.sandpit.gateway.GatewayConfig;
import dev.sandpit.gateway.GatewayVerticle;
import dev.sandpit.gateway.auth.AuthConfig;
import dev.sandpit.gateway.auth.Tokens;
import dev.sandpit.gateway.store.CollabDocs;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreConfig;
import dev.sandpit.protocol.Keys;
import dev.sandpit.testing.Await;
import dev.sandpit.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * /ws/collab on two gateways over one real redis-server and one SQLite store, driven by the real
 * npm client (y-websocket's WebsocketProvider in Node, see {@link NodeCollabClient}).
 */
@Timeout(180)
class CollabIT {
  private static final String SECRET = "collab-it-secret-collab-it-secret-0123456789";
  static RedisServer redis;
  static Path data;
  static final Map<String, String> env = new HashMap<>();
  static final List<Vertx> vertxes = new ArrayList<>();
  static Gateway gw1;
  static Gateway gw2;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  NodeCollabClient node;

  record Gateway(Vertx vertx, GatewayVerticle verticle) {
    int port() {
      return verticle.port();
    }
  }

  @BeforeAll
  static void up() throws Exception {
    redis = RedisServer.start();
    data = Files.createTempDirectory("sandpit-collab-it-");
    env.put(RedisConfig.URL, redis.url());
    env.put(StoreConfig.DATA_DIR, data.toString());
    env.put(AuthConfig.JWT_SECRET, SECRET);
    env.put(GatewayConfig.PORT, "0");
    env.put(GatewayConfig.HOST, "127.0.0.1");
    gw1 = gateway();
    gw2 = gateway();
  }

  static Gateway gateway() throws Exception {
    Vertx v = Vertx.vertx();
    vertxes.add(v);
    GatewayVerticle g = new GatewayVerticle(GatewayConfig.from(new Settings(Map.copyOf(env))));
    v.deployVerticle(g).await(20, TimeUnit.SECONDS);
    return new Gateway(v, g);
  }

  @AfterAll
  static void down() throws Exception {
    for (Vertx v : vertxes) {
      try {
        v.close().await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort
      }
    }
    if (redis != null) redis.close();
  }

  @BeforeEach
  void client() throws Exception {
    node = new NodeCollabClient();
  }

  @AfterEach
  void closeClient() throws Exception {
    if (node != null) node.close();
  }

  // ---- a little REST, as the IDE does it ----

  static JsonObject call(int port, String method, String path, String token, JsonObject body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) b.header("content-type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) throw new AssertionError(method + " " + path + ": " + r.statusCode() + " " + r.body());
    return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
  }

  static String guest(int port) throws Exception {
    return call(port, "POST", "/api/auth/guest", null, null).getString("token");
  }

  static String session(int port, String token, String... paths) throws Exception {
    JsonArray files = new JsonArray();
    for (String p : paths) files.add(new JsonObject().put("path", p).put("content", ""));
    return call(port, "POST", "/api/sessions", token, new JsonObject().put("name", "collab").put("language", "python").put("files", files))
        .getString("id");
  }

  /** A second user joined to the session with {@code role}; returns their token. */
  static String member(String sessionId, String ownerToken, String role) throws Exception {
    String link = call(gw1.port(), "POST", "/api/sessions/" + sessionId + "/shares", ownerToken, new JsonObject().put("role", role)).getString("token");
    String token = guest(gw2.port());
    assertEquals(role, call(gw2.port(), "POST", "/api/shares/" + link + "/join", token, null).getString("role"));
    return token;
  }

  /** The room name the IDE gives y-websocket: {@code session_id + '/' + encodeURIComponent(path)}. */
  static String room(String sessionId, String path) {
    return sessionId + "/" + URLEncoder.encode(path, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static long xlen(String key) throws Exception {
    Vertx v = Vertx.vertx();
    try {
      Redis r = Redis.createClient(v, redis.url());
      return r.send(Request.cmd(Command.XLEN).arg(key)).await(10, TimeUnit.SECONDS).toLong();
    } finally {
      v.close().await(10, TimeUnit.SECONDS);
    }
  }

  void waitSame(String a, String b, int length) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      String ta = node.text(a);
      String tb = node.text(b);
      if (ta.equals(tb) && ta.length() == length) return;
      if (System.currentTimeMillis() > deadline) throw new AssertionError(a + " has '" + ta + "', " + b + " has '" + tb + "'");
      Thread.sleep(10);
    }
  }

  // ---- the behaviour ----

  @Test
  void concurrentEditsOnTwoGatewaysConverge() throws Exception {
    String owner = guest(gw1.port());
    String id = session(gw1.port(), owner, "main.py");
    String editor = member(id, owner, "editor");
    node.open("a", gw1.port(), room(id, "main.py"), owner);
    node.open("b", gw2.port(), room(id, "main.py"), editor);
    node.synced("a");
    node.synced("b");
    // both insert before either has seen the other's edit
    node.insert("a", "print('from A')\n");
    node.insert("b", "print('from B')\n");
    node.type("a", "# more A");
    node.type("b", "# more B");
    int length = "print('from A')\n".length() * 2 + "# more A".length() * 2;
    waitSame("a", "b", length);
    String text = node.text("a");
    assertTrue(text.contains("print('from A')\n") && text.contains("print('from B')\n"), text);
  }

  @Test
  void aViewerFollowsButCannotChangeTheTextAndIsToldSo() throws Exception {
    String owner = guest(gw1.port());
    String id = session(gw1.port(), owner, "main.py");
    String viewer = member(id, owner, "viewer");
    node.open("a", gw1.port(), room(id, "main.py"), owner);
    node.open("v", gw2.port(), room(id, "main.py"), viewer);
    node.synced("a");
    node.synced("v");
    node.insert("a", "x = 1\n");
    node.waitText("v", "x = 1\n");
    node.insert("v", "evil()\n");
    JsonObject denied = node.waitDenied("v");
    assertTrue(denied.getJsonArray("reasons").getString(0).contains("viewer"), denied.encode());
    node.insert("a", "y = 2\n");
    Await.until("the viewer follows the editor's next edit", 10_000, () -> {
      try {
        return node.text("v").contains("y = 2");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    node.waitText("a", "x = 1\ny = 2\n");
    // a newcomer on either gateway sees only what the editor wrote
    node.open("c", gw2.port(), room(id, "main.py"), owner);
    node.waitText("c", "x = 1\ny = 2\n");
    assertFalse(node.text("a").contains("evil"));
  }

  @Test
  void aClientThatReconnectsCatchesUp() throws Exception {
    String owner = guest(gw1.port());
    String id = session(gw1.port(), owner, "main.py");
    String editor = member(id, owner, "editor");
    node.open("a", gw1.port(), room(id, "main.py"), owner);
    node.open("b", gw2.port(), room(id, "main.py"), editor);
    node.synced("a");
    node.synced("b");
    node.insert("a", "one\n");
    node.waitText("b", "one\n");
    node.disconnect("b");
    node.type("a", "two\n");
    node.insert("b", "offline\n"); // typed while away: sent on reconnect
    node.open("b", gw1.port(), room(id, "main.py"), editor);
    node.synced("b");
    waitSame("a", "b", "one\ntwo\noffline\n".length());
  }

  @Test
  void aGatewayRestartedMidEditLosesNothing() throws Exception {
    Gateway doomed = gateway();
    String owner = guest(gw1.port());
    String id = session(gw1.port(), owner, "main.py");
    String editor = member(id, owner, "editor");
    node.open("a", doomed.port(), room(id, "main.py"), owner);
    node.open("b", gw2.port(), room(id, "main.py"), editor);
    node.synced("a");
    node.synced("b");
    node.type("a", "before restart\n");
    node.waitText("b", "before restart\n");
    node.insert("a", "in flight\n");
    doomed.vertx().close().await(20, TimeUnit.SECONDS); // the gateway goes away mid-edit
    node.type("b", "while down\n");
    Gateway replacement = gateway();
    node.open("a", replacement.port(), room(id, "main.py"), owner);
    node.synced("a");
    int length = "before restart\nin flight\nwhile down\n".length();
    waitSame("a", "b", length);
    // and a newcomer on the new gateway gets all of it from the stream and the store
    node.open("c", replacement.port(), room(id, "main.py"), editor);
    node.synced("c");
    waitSame("a", "c", length);
    replacement.vertx().close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void anEncodedPathWithASlashIsOneDocument() throws Exception {
    String owner = guest(gw1.port());
    String id = session(gw1.port(), owner, "src/main.py", "main.py");
    String editor = member(id, owner, "editor");
    assertTrue(room(id, "src/main.py").endsWith("/src%2Fmain.py"));
    node.open("a", gw1.port(), room(id, "src/main.py"), owner);
    node.open("b", gw2.port(), room(id, "src/main.py"), editor);
    node.open("other", gw2.port(), room(id, "main.py"), editor);
    node.synced("a");
    node.synced("b");
    node.synced("other");
    node.insert("a", "nested\n");
    node.waitText("b", "nested\n");
    assertEquals("", node.text("other"));
    assertTrue(xlen(Keys.collabStream(id, "src/main.py")) > 0, "the stream of src/main.py");
  }

  @Test
  void aBadTokenAnUnknownSessionAndAnUnknownFileAreRefusedWithCloseCodes() throws Exception {
    String owner = guest(gw1.port());
    String id = session(gw1.port(), owner, "main.py");
    node.open("bad", gw1.port(), room(id, "main.py"), "not-a-jwt");
    assertEquals(4401, node.waitClosed("bad").getInteger("code"));
    String stranger = guest(gw1.port());
    node.open("stranger", gw2.port(), room(id, "main.py"), stranger);
    assertEquals(4404, node.waitClosed("stranger").getInteger("code"));
    node.open("nofile", gw2.port(), room(id, "nope.py"), owner);
    JsonObject closed = node.waitClosed("nofile");
    assertEquals(4404, closed.getInteger("code"));
    assertEquals("no such file", closed.getString("reason"));
  }

  @Test
  void awarenessCrossesGatewaysAndAClosedTabDisappears() throws Exception {
    String owner = guest(gw1.port());
    String id = session(gw1.port(), owner, "main.py");
    String editor = member(id, owner, "editor");
    node.open("a", gw1.port(), room(id, "main.py"), owner);
    node.synced("a");
    node.setAwareness("a", new JsonObject().put("user", new JsonObject().put("name", "Ann")));
    node.open("b", gw2.port(), room(id, "main.py"), editor);
    node.synced("b");
    JsonObject peers = node.waitPeers("b", 1, 10_000);
    assertEquals("Ann", peers.getJsonArray("peers").getJsonObject(0).getJsonObject("user").getString("name"), peers.encode());
    node.disconnect("a");
    node.waitPeers("b", 0, 5_000);
  }

  @Test
  void compactionFoldsTheStreamIntoTheStoreAndASyncAnswersFromIt() throws Exception {
    String owner = guest(gw1.port());
    String id = session(gw1.port(), owner, "main.py");
    node.open("a", gw1.port(), room(id, "main.py"), owner);
    node.synced("a");
    node.type("a", "compact me");
    node.disconnect("a");
    String stream = Keys.collabStream(id, "main.py");
    Vertx v = Vertx.vertx();
    vertxes.add(v);
    Settings s = new Settings(Map.copyOf(env));
    GatewayConfig config = GatewayConfig.from(s);
    Store store = v.executeBlocking(() -> Store.open(config.store())).await(20, TimeUnit.SECONDS);
    try {
      Redis r = config.redis().client(v, 4);
      Subscriber sub = new Subscriber(v, r, config.redis().timeoutMs());
      Collab compactor = new Collab(v, r, sub, store, new Tokens(v, config.auth()), "gw-test", 0);
      // the gateway compacts when the room closes; this one makes sure the whole stream is folded and trimmed
      Await.until("the stream folded and trimmed", 20_000, () -> {
        try {
          compactor.compact(id, "main.py").await(10, TimeUnit.SECONDS);
          return xlen(stream) == 0;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      Optional<CollabDocs.Doc> doc = store.collabDocs().load(id, "main.py");
      assertTrue(doc.isPresent());
      assertEquals(UpdateLogState.FORMAT, doc.get().format());
      assertEquals("compact me".length(), UpdateLogState.updates(doc.get().state()).size(), "one update per keystroke (the provisional state)");
    } finally {
      v.executeBlocking(() -> {
        store.close();
        return null;
      }).await(20, TimeUnit.SECONDS);
    }
    // the stream is empty: a newcomer's text comes from the store alone
    node.open("c", gw2.port(), room(id, "main.py"), owner);
    node.waitText("c", "compact me");
    // and deleting the session deletes its documents
    call(gw1.port(), "DELETE", "/api/sessions/" + id, owner, null);
    Store check = Store.open(GatewayConfig.from(s).store());
    try {
      assertEquals(List.of(), check.collabDocs().paths(id));
    } finally {
      check.close();
    }
  }
}
