package dev.sandpit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.e2e.Stack;
import dev.sandpit.e2e.WsClient;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sessions REST API over real HTTP against a real store; subclasses choose SQLite or
 * PostgreSQL. Every refused request is checked for its status, its code, and that nothing stored
 * changed.
 */
@Timeout(180)
abstract class SessionApiContract {
  static final String SECRET = "test-secret-test-secret-test-secret-0123456789";
  static Stack stack;
  static Api anon;

  static void startStack(int uidBase, String databaseUrl) throws Exception {
    stack = new Stack(uidBase);
    stack.env.put("SANDPIT_JWT_SECRET", SECRET);
    stack.env.put("SANDPIT_FILE_MAX_BYTES", "4096");
    stack.env.put("SANDPIT_SESSION_MAX_BYTES", "16384");
    stack.env.put("SANDPIT_USER_MAX_BYTES", "40000");
    stack.env.put("SANDPIT_USER_MAX_RUNS", "2");
    if (databaseUrl != null) stack.env.put("DATABASE_URL", databaseUrl);
    stack.gateway();
    stack.executor(3);
    anon = new Api(stack.port());
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) stack.close();
  }

  static JsonObject file(String path, String content) {
    return new JsonObject().put("path", path).put("content", content);
  }

  static String newSession(Api u, String name, String lang, JsonObject... files) throws Exception {
    Api.Res r = u.post("/api/sessions", new JsonObject().put("name", name).put("language", lang).put("files", new JsonArray(List.of((Object[]) files))));
    assertEquals(201, r.status(), r.body());
    return r.json().getString("id");
  }

  // ---- accounts ----

  @Test
  void registerLoginAndMeWorkAndBadCredentialsAre401() throws Exception {
    String name = "ada" + System.nanoTime() % 100000;
    Api.Res reg = anon.post("/api/auth/register", new JsonObject().put("username", name).put("password", "correct horse"));
    assertEquals(201, reg.status(), reg.body());
    assertEquals(409, anon.post("/api/auth/register", new JsonObject().put("username", name).put("password", "another one")).status());
    Api.Res login = anon.post("/api/auth/login", new JsonObject().put("username", name).put("password", "correct horse"));
    assertEquals(200, login.status());
    Api me = anon.as(login.json().getString("token"));
    assertEquals(name, me.get("/api/auth/me").json().getString("username"));
    Api.Res wrong = anon.post("/api/auth/login", new JsonObject().put("username", name).put("password", "wrong password"));
    assertEquals(401, wrong.status());
    assertEquals("unauthorized", wrong.code());
    assertEquals(400, anon.post("/api/auth/register", new JsonObject().put("username", "x").put("password", "short")).status());
  }

  @Test
  void missingForgedAndExpiredTokensGet401WithJsonErrors() throws Exception {
    assertEquals("unauthorized", anon.get("/api/sessions").code());
    assertEquals(401, anon.as("not.a.jwt").get("/api/sessions").status());
    Vertx v = Vertx.vertx();
    try {
      JWTAuth other = JWTAuth.create(v, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("another-secret-another-secret-another-secret")));
      String forged = other.generateToken(new JsonObject().put("sub", "someone"), new JWTOptions().setAlgorithm("HS256"));
      Api.Res f = anon.as(forged).get("/api/sessions");
      assertEquals(401, f.status());
      assertEquals("unauthorized", f.code());
      JWTAuth same = JWTAuth.create(v, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
      String expired = same.generateToken(new JsonObject().put("sub", "someone").put("exp", System.currentTimeMillis() / 1000 - 60),
          new JWTOptions().setAlgorithm("HS256"));
      assertEquals(401, anon.as(expired).get("/api/sessions").status());
      String good = same.generateToken(new JsonObject().put("sub", anon.guest().userId()), new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(60));
      assertEquals(200, anon.as(good).get("/api/sessions").status());
    } finally {
      v.close();
    }
  }

  @Test
  void unknownApiRoutesAre404NotFoundWhateverTheCredentialsAndKnownOnesStill401WithoutAToken() throws Exception {
    Api good = anon.guest();
    for (Api caller : List.of(anon, anon.as("not.a.jwt"), good)) {
      for (String[] req : new String[][] {{"GET", "/api/no-such-route"}, {"POST", "/api/sessions/x/nothing"}, {"PUT", "/api/sessions"},
          {"GET", "/v1/no-such-route"}, {"DELETE", "/api/runs/x"}}) {
        Api.Res r = caller.call(req[0], req[1], null);
        assertEquals(404, r.status(), req[0] + " " + req[1] + " as " + caller.token + ": " + r.body());
        assertEquals("not_found", r.code());
      }
    }
    for (String[] req : new String[][] {{"GET", "/api/sessions"}, {"GET", "/api/auth/me"}, {"GET", "/api/runs/x"},
        {"DELETE", "/api/sessions/x"}, {"POST", "/v1/sessions/files/list"}}) {
      Api.Res r = anon.call(req[0], req[1], null);
      assertEquals(401, r.status(), req[0] + " " + req[1] + ": " + r.body());
      assertEquals("unauthorized", r.code());
      assertEquals(401, anon.as("not.a.jwt").call(req[0], req[1], null).status(), req[0] + " " + req[1]);
    }
    assertEquals(200, anon.get("/api/languages").status());
  }

  @Test
  void sessionSettingsAreReadByEveryMemberChangedByEditorsAndCheckedLikeARun() throws Exception {
    Api owner = anon.guest();
    String id = newSession(owner, "settings", "cpp", file("main.cpp", "int main(){}"));
    assertEquals(new JsonObject().putNull("compiler").put("compiler_flags", new JsonArray()), owner.get("/api/sessions/" + id + "/settings").json());
    Api editor = anon.guest(), runner = anon.guest(), viewer = anon.guest(), stranger = anon.guest();
    for (Object[] m : new Object[][] {{editor, "editor"}, {runner, "runner"}, {viewer, "viewer"}}) {
      String link = owner.post("/api/sessions/" + id + "/shares", new JsonObject().put("role", m[1])).json().getString("token");
      assertEquals(m[1], ((Api) m[0]).post("/api/shares/" + link + "/join", null).json().getString("role"));
    }
    JsonObject clang = new JsonObject().put("compiler", "clang++").put("compiler_flags", new JsonArray().add("-O1").add("-std=c++20").add("-DWHO=1"));
    for (Api low : List.of(viewer, runner)) {
      Api.Res r = low.call("PUT", "/api/sessions/" + id + "/settings", clang.encode());
      assertEquals(403, r.status(), r.body());
      assertEquals("forbidden", r.code());
    }
    assertEquals(404, stranger.call("PUT", "/api/sessions/" + id + "/settings", clang.encode()).status());
    assertEquals(404, stranger.get("/api/sessions/" + id + "/settings").status());
    Api.Res put = editor.call("PUT", "/api/sessions/" + id + "/settings", clang.encode());
    assertEquals(200, put.status(), put.body());
    assertEquals(clang, put.json());
    for (Api member : List.of(owner, editor, runner, viewer)) {
      assertEquals(clang, member.get("/api/sessions/" + id + "/settings").json());
      assertEquals(clang, member.get("/api/sessions/" + id).json().getJsonObject("settings"));
    }
    // refused like a run's compiler and flags, and nothing stored changes
    Api.Res tcc = editor.call("PUT", "/api/sessions/" + id + "/settings", new JsonObject().put("compiler", "tcc").encode());
    assertEquals(400, tcc.status());
    assertEquals("invalid_field", tcc.code());
    Api.Res plugin = editor.call("PUT", "/api/sessions/" + id + "/settings", new JsonObject().put("compiler_flags", new JsonArray().add("-fplugin=x.so")).encode());
    assertEquals("invalid_field", plugin.code());
    assertTrue(plugin.json().getString("message").contains("-fplugin"), plugin.body());
    assertEquals("invalid_field", editor.call("PUT", "/api/sessions/" + id + "/settings", new JsonObject().put("compiler_flags", new JsonArray().add("-std=c11")).encode()).code(),
        "a C standard for a C++ session");
    assertEquals("invalid_field", editor.call("PUT", "/api/sessions/" + id + "/settings", new JsonObject().put("compiler_flags", "-O2").encode()).code());
    assertEquals("bad_json", editor.call("PUT", "/api/sessions/" + id + "/settings", "nope").code());
    assertEquals(clang, owner.get("/api/sessions/" + id + "/settings").json());
    // an alias is stored as the compiler's name
    assertEquals("clang++", editor.call("PUT", "/api/sessions/" + id + "/settings", clang.copy().put("compiler", "clang").encode()).json().getString("compiler"));
    assertEquals(401, anon.call("PUT", "/api/sessions/" + id + "/settings", clang.encode()).status());
    // back to the defaults
    assertEquals(new JsonObject().putNull("compiler").put("compiler_flags", new JsonArray()),
        owner.call("PUT", "/api/sessions/" + id + "/settings", new JsonObject().encode()).json());
    String py = newSession(owner, "py", "python", file("main.py", "print(1)"));
    assertEquals("invalid_field", owner.call("PUT", "/api/sessions/" + py + "/settings", clang.encode()).code());
  }

  // ---- sessions ----

  @Test
  void sessionsListNewestFirstWithSearchFilterAndPaging() throws Exception {
    Api u = anon.guest();
    String a = newSession(u, "alpha project", "python", file("main.py", "print('needle in code')"));
    String b = newSession(u, "beta", "c", file("main.c", "int main(){}"));
    String c = newSession(u, "gamma", "python", file("main.py", "print(1)"));
    JsonObject all = u.get("/api/sessions").json();
    assertEquals(3, all.getLong("total"));
    assertEquals(List.of(c, b, a), all.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList());
    assertEquals(List.of(a), ids(u.get("/api/sessions?q=needle").json()));
    assertEquals(List.of(a), ids(u.get("/api/sessions?q=ALPHA").json()));
    assertEquals(List.of(c, a), ids(u.get("/api/sessions?language=python").json()));
    JsonObject page2 = u.get("/api/sessions?limit=2&offset=2").json();
    assertEquals(List.of(a), ids(page2));
    assertEquals(3, page2.getLong("total"));
    assertEquals(400, u.get("/api/sessions?limit=0").status());
    assertEquals("unknown_language", u.get("/api/sessions?language=cobol").code());
  }

  static List<String> ids(JsonObject page) {
    return page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  void anotherUsersSessionIs404AndStaysUntouched() throws Exception {
    Api owner = anon.guest();
    Api stranger = anon.guest();
    String id = newSession(owner, "mine", "python", file("main.py", "print(1)"));
    assertEquals(404, stranger.get("/api/sessions/" + id).status());
    assertEquals("not_found", stranger.get("/api/sessions/" + id).code());
    assertEquals(404, stranger.patch("/api/sessions/" + id, new JsonObject().put("name", "stolen")).status());
    assertEquals(404, stranger.delete("/api/sessions/" + id).status());
    assertEquals(404, stranger.put("/api/sessions/" + id + "/files/main.py", new JsonObject().put("content", "evil")).status());
    assertEquals(404, stranger.get("/api/sessions/" + "f".repeat(32)).status());
    JsonObject s = owner.get("/api/sessions/" + id).json();
    assertEquals("mine", s.getString("name"));
    assertEquals("print(1)", owner.get("/api/sessions/" + id + "/files/main.py").json().getString("content"));
    assertEquals(0, stranger.get("/api/sessions").json().getLong("total"));
  }

  @Test
  void renameChangeLanguageAndDelete() throws Exception {
    Api u = anon.guest();
    String id = newSession(u, "old", "python", file("main.py", ""));
    JsonObject s = u.patch("/api/sessions/" + id, new JsonObject().put("name", "new").put("language", "js")).json();
    assertEquals("new", s.getString("name"));
    assertEquals("javascript", s.getString("language"));
    assertEquals(400, u.patch("/api/sessions/" + id, new JsonObject().put("name", 5)).status());
    assertEquals(204, u.delete("/api/sessions/" + id).status());
    assertEquals(404, u.get("/api/sessions/" + id).status());
  }

  @Test
  void malformedAndWronglyTypedBodiesAre400AndStoreNothing() throws Exception {
    Api u = anon.guest();
    Api.Res bad = u.call("POST", "/api/sessions", "{\"name\": ");
    assertEquals(400, bad.status());
    assertEquals("bad_json", bad.code());
    assertEquals("invalid_field", u.post("/api/sessions", new JsonObject().put("name", 7).put("language", "python")).code());
    assertEquals("missing_field", u.post("/api/sessions", new JsonObject().put("language", "python")).code());
    assertEquals("invalid_field", u.post("/api/sessions", new JsonObject().put("name", "x").put("language", "python").put("files", "no")).code());
    assertEquals(0, u.get("/api/sessions").json().getLong("total"));
    Api.Res huge = u.call("POST", "/api/sessions", "{\"name\":\"" + "x".repeat(2 << 20) + "\"}");
    assertEquals(413, huge.status());
    assertEquals("too_large", huge.code());
    assertTrue(huge.json().getString("message").matches("the request body is larger than the [0-9.]+ (MiB|KiB) limit \\(a file may hold at most [0-9.]+ (MiB|KiB|bytes), SANDPIT_FILE_MAX_BYTES\\)"),
        huge.body());
    assertEquals(0, u.get("/api/sessions").json().getLong("total"));
  }

  // ---- files ----

  @Test
  void filesCrudWithVersionsBinaryRenameAndTree() throws Exception {
    Api u = anon.guest();
    String id = newSession(u, "files", "python", file("main.py", "print(1)"));
    String f = "/api/sessions/" + id + "/files/";
    Api.Res created = u.put(f + "lib/util.py", new JsonObject().put("content", "X = 1\n"));
    assertEquals(201, created.status(), created.body());
    assertEquals(1, created.json().getLong("version"));
    Api.Res v2 = u.put(f + "lib/util.py", new JsonObject().put("content", "X = 2\n").put("version", 1));
    assertEquals(200, v2.status());
    assertEquals(2, v2.json().getLong("version"));
    Api.Res stale = u.put(f + "lib/util.py", new JsonObject().put("content", "X = 3\n").put("version", 1));
    assertEquals(409, stale.status());
    assertEquals("conflict", stale.code());
    assertEquals(409, u.put(f + "lib/util.py", new JsonObject().put("content", "X = 4\n"), "If-Match", "\"1\"").status());
    assertEquals("X = 2\n", u.get(f + "lib/util.py").json().getString("content"));
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff};
    assertEquals(201, u.put(f + "img/logo.png", new JsonObject().put("content", Base64.getEncoder().encodeToString(png)).put("encoding", "base64")).status());
    JsonObject img = u.get(f + "img/logo.png").json();
    assertEquals("base64", img.getString("encoding"));
    assertTrue(img.getBoolean("binary"));
    assertTrue(java.util.Arrays.equals(png, Base64.getDecoder().decode(img.getString("content"))));
    assertEquals(200, u.patch(f + "lib", new JsonObject().put("path", "pkg")).status());
    assertEquals("X = 2\n", u.get(f + "pkg/util.py").json().getString("content"));
    assertEquals(404, u.get(f + "lib/util.py").status());
    JsonObject listing = u.get("/api/sessions/" + id + "/files").json();
    assertEquals(List.of("img/logo.png", "main.py", "pkg/util.py"),
        listing.getJsonArray("files").stream().map(o -> ((JsonObject) o).getString("path")).sorted().toList());
    assertTrue(listing.getJsonArray("tree").stream().anyMatch(o -> ((JsonObject) o).getString("type").equals("dir")));
    assertEquals(204, u.delete(f + "img").status());
    assertEquals(404, u.get(f + "img/logo.png").status());
    assertEquals(404, u.delete(f + "nothing.txt").status());
  }

  @Test
  void badPathsAreRefusedAndNothingIsWritten() throws Exception {
    Api u = anon.guest();
    String id = newSession(u, "paths", "python", file("main.py", ""));
    String f = "/api/sessions/" + id + "/files/";
    // "a//b" is normalised to "a/b" by the server (allowed); these are refused
    for (String bad : List.of("x%00y", "-rf", "dir/-x", "a/%2e%2e/%2e%2e/etc/passwd", "x%0Ay")) {
      Api.Res r = u.put(f + bad, new JsonObject().put("content", "x"));
      assertTrue(r.status() == 400 || r.status() == 404, bad + " -> " + r.status() + " " + r.body());
    }
    assertEquals(400, u.post("/api/sessions", new JsonObject().put("name", "t").put("language", "python")
        .put("files", new JsonArray().add(file("../../etc/passwd", "x")))).status());
    assertEquals(1, u.get("/api/sessions/" + id + "/files").json().getJsonArray("files").size());
  }

  @Test
  void sizeLimitsGive413AndUserQuotaKeepsWhatIsStored() throws Exception {
    Api u = anon.guest();
    String id = newSession(u, "big", "python", file("main.py", "print(1)"));
    String f = "/api/sessions/" + id + "/files/";
    Api.Res tooBig = u.put(f + "big.txt", new JsonObject().put("content", "x".repeat(5000)));
    assertEquals(413, tooBig.status());
    assertEquals("too_large", tooBig.code());
    for (int i = 0; i < 4; i++) assertEquals(201, u.put(f + "part" + i + ".txt", new JsonObject().put("content", "y".repeat(3900))).status());
    Api.Res over = u.put(f + "part9.txt", new JsonObject().put("content", "z".repeat(3900)));
    assertEquals(413, over.status(), "session total over 16 KiB");
    assertEquals(404, u.get(f + "part9.txt").status());
    assertEquals("y".repeat(3900), u.get(f + "part0.txt").json().getString("content"));
  }

  @Test
  void theUsersTotalQuotaGives429AndKeepsEverySessionIntact() throws Exception {
    Api u = anon.guest();
    String a = newSession(u, "q1", "python", file("main.py", "print(1)"));
    String b = newSession(u, "q2", "python", file("main.py", "print(2)"));
    for (String id : List.of(a, b)) {
      for (int i = 0; i < 4; i++) assertEquals(201, u.put("/api/sessions/" + id + "/files/f" + i, new JsonObject().put("content", "q".repeat(3900))).status());
    }
    String c = newSession(u, "q3", "python", file("main.py", "print(3)"));
    // 2 x (8 + 4 x 3900) + 8 + 2 x 3900 = 39,032 bytes of the 40,000 allowed
    assertEquals(201, u.put("/api/sessions/" + c + "/files/g0", new JsonObject().put("content", "r".repeat(3900))).status());
    assertEquals(201, u.put("/api/sessions/" + c + "/files/g1", new JsonObject().put("content", "r".repeat(3900))).status());
    Api.Res over = u.put("/api/sessions/" + c + "/files/g2", new JsonObject().put("content", "r".repeat(3900)));
    assertEquals(429, over.status(), over.body());
    assertEquals("quota_exceeded", over.code());
    assertEquals(404, u.get("/api/sessions/" + c + "/files/g2").status());
    Api.Res create = u.post("/api/sessions", new JsonObject().put("name", "q4").put("language", "python")
        .put("files", new JsonArray().add(file("main.py", "s".repeat(3900)))));
    assertEquals(429, create.status(), create.body());
    assertEquals("quota_exceeded", create.code());
    assertEquals(3, u.get("/api/sessions").json().getLong("total"));
    assertEquals("q".repeat(3900), u.get("/api/sessions/" + a + "/files/f3").json().getString("content"));
  }

  // ---- sharing ----

  @Test
  void shareLinksGrantTheirRoleEverywhereAndRevokingTakesItBack() throws Exception {
    Api owner = anon.guest();
    Api viewer = anon.guest();
    Api editor = anon.guest();
    String id = newSession(owner, "shared", "python", file("main.py", "print('v1')"));
    String viewLink = owner.post("/api/sessions/" + id + "/shares", new JsonObject().put("role", "viewer")).json().getString("token");
    String editLink = owner.post("/api/sessions/" + id + "/shares", new JsonObject().put("role", "editor")).json().getString("token");
    assertEquals(400, owner.post("/api/sessions/" + id + "/shares", new JsonObject().put("role", "owner")).status());
    assertEquals("viewer", viewer.post("/api/shares/" + viewLink + "/join", null).json().getString("role"));
    assertEquals("editor", editor.post("/api/shares/" + editLink + "/join", null).json().getString("role"));
    assertEquals(200, viewer.get("/api/sessions/" + id).status());
    assertEquals(1, viewer.get("/api/sessions").json().getLong("total"), "shared with me");
    // every list item says the caller's role in it
    assertEquals("viewer", viewer.get("/api/sessions").json().getJsonArray("items").getJsonObject(0).getString("role"));
    assertEquals("editor", editor.get("/api/sessions?q=shared").json().getJsonArray("items").getJsonObject(0).getString("role"));
    assertEquals("owner", owner.get("/api/sessions").json().getJsonArray("items").getJsonObject(0).getString("role"));
    Api.Res forbidden = viewer.put("/api/sessions/" + id + "/files/main.py", new JsonObject().put("content", "hack"));
    assertEquals(403, forbidden.status());
    assertEquals("forbidden", forbidden.code());
    assertEquals(403, viewer.delete("/api/sessions/" + id).status());
    assertEquals(403, viewer.post("/api/sessions/" + id + "/shares", new JsonObject().put("role", "editor")).status());
    assertEquals(200, editor.put("/api/sessions/" + id + "/files/main.py", new JsonObject().put("content", "print('v2')")).status());
    assertEquals(403, editor.delete("/api/sessions/" + id).status());
    assertEquals(204, owner.delete("/api/sessions/" + id + "/shares/" + viewLink).status());
    assertEquals(404, viewer.get("/api/sessions/" + id).status());
    assertEquals(404, anon.guest().post("/api/shares/" + viewLink + "/join", null).status(), "revoked link");
    assertEquals("print('v2')", owner.get("/api/sessions/" + id + "/files/main.py").json().getString("content"));
  }

  // ---- templates ----

  @Test
  void templatesCoverEveryLanguageAndSeedASession() throws Exception {
    JsonArray t = anon.get("/api/templates").array();
    assertEquals(16, t.size());
    Api u = anon.guest();
    Api.Res r = u.post("/api/sessions", new JsonObject().put("template", "go-interactive"));
    assertEquals(201, r.status(), r.body());
    assertEquals("go", r.json().getString("language"));
    String content = u.get("/api/sessions/" + r.json().getString("id") + "/files/main.go").json().getString("content");
    assertTrue(content.contains("What is your name?"));
    assertEquals(400, u.post("/api/sessions", new JsonObject().put("template", "nope")).status());
  }

  // ---- runs and history ----

  @Test
  void aSessionRunIsRecordedWithTranscriptStdinAndFilesWrittenBack() throws Exception {
    Api u = anon.guest();
    String id = newSession(u, "run me", "python",
        file("main.py", "import helper\nname = input('Name? ')\nopen('out.txt', 'w').write(helper.greet(name))\nprint(helper.greet(name))\n"),
        file("helper.py", "def greet(n):\n    return 'Hi ' + n\n"));
    try (WsClient watcher = WsClient.connect(stack.port(), u.token); WsClient c = WsClient.connect(stack.port(), u.token)) {
      watcher.send(new JsonObject().put("type", "watch").put("session_id", id).encode());
      Await.until("watch subscribed", 5000, () -> true);
      c.send(new JsonObject().put("type", "execute").put("session_id", id).put("request_id", "s1").encode());
      String job = c.accepted("s1").jobId();
      c.inputRequest(job, 1, 30_000);
      c.send(new JsonObject().put("type", "input_response").put("job_id", job).put("data", "Ada\n").encode());
      assertEquals(RunStatus.OK, c.complete(job, 30_000).status());
      assertEquals("Name? Hi Ada\n", c.stdout(job));
      Await.until("the run is recorded as ended", 10_000, () -> {
        try {
          return "ok".equals(u.get("/api/runs/" + job).json().getString("status"));
        } catch (Exception e) {
          return false;
        }
      });
      JsonObject run = u.get("/api/runs/" + job).json();
      assertFalse(run.getBoolean("live"));
      // adjacent chunks of one stream merged (how the program split its writes is its business)
      StringBuilder transcript = new StringBuilder();
      String last = null;
      for (Object o : run.getJsonArray("transcript")) {
        JsonObject ch = (JsonObject) o;
        if (!ch.getString("stream").equals(last)) transcript.append(ch.getString("stream")).append(':');
        last = ch.getString("stream");
        transcript.append(ch.getString("data"));
      }
      assertEquals("stdout:Name? stdin:Ada\nstdout:Hi Ada\n", transcript.toString());
      assertEquals(2, run.getJsonArray("files").size());
      Await.until("out.txt is back in the session", 10_000, () -> {
        try {
          return u.get("/api/sessions/" + id + "/files/out.txt").status() == 200;
        } catch (Exception e) {
          return false;
        }
      });
      assertEquals("Hi Ada", u.get("/api/sessions/" + id + "/files/out.txt").json().getString("content"));
      JsonObject runs = u.get("/api/sessions/" + id + "/runs").json();
      assertEquals(1, runs.getLong("total"));
      assertEquals(job, runs.getJsonArray("items").getJsonObject(0).getString("id"));
      ServerEvent.SessionEvent started = watcher.await(ServerEvent.SessionEvent.class, e -> e.kind().equals("run_started"), 10_000);
      assertEquals(job, started.jobId());
      String me = u.get("/api/auth/me").json().getString("username");
      assertEquals(me, started.userName(), "watchers are told who started the run");
      assertEquals(me, runs.getJsonArray("items").getJsonObject(0).getString("user_name"));
      assertEquals(me, u.get("/api/runs/" + job).json().getString("user_name"));
      watcher.await(ServerEvent.SessionEvent.class, e -> e.kind().equals("run_finished") && job.equals(e.jobId()), 10_000);
      watcher.await(ServerEvent.SessionEvent.class, e -> e.kind().equals("files_changed"), 10_000);
    }
  }

  @Test
  void viewersMayFollowButNotDriveRunsAndStrangersCannotRunOrWatch() throws Exception {
    Api owner = anon.guest();
    Api viewer = anon.guest();
    Api stranger = anon.guest();
    String id = newSession(owner, "watched", "python", file("main.py", "x = input('? ')\nprint('got', x)\n"));
    String link = owner.post("/api/sessions/" + id + "/shares", new JsonObject().put("role", "viewer")).json().getString("token");
    viewer.post("/api/shares/" + link + "/join", null);
    try (WsClient o = WsClient.connect(stack.port(), owner.token); WsClient v = WsClient.connect(stack.port(), viewer.token);
        WsClient s = WsClient.connect(stack.port(), stranger.token)) {
      v.send(new JsonObject().put("type", "execute").put("session_id", id).put("request_id", "v").encode());
      assertEquals(ErrorCode.FORBIDDEN, v.error(e -> "v".equals(e.requestId()), 10_000).code());
      s.send(new JsonObject().put("type", "execute").put("session_id", id).put("request_id", "s").encode());
      assertEquals(ErrorCode.NOT_FOUND, s.error(e -> "s".equals(e.requestId()), 10_000).code());
      o.send(new JsonObject().put("type", "execute").put("session_id", id).put("request_id", "o").encode());
      String job = o.accepted("o").jobId();
      o.inputRequest(job, 1, 30_000);
      v.send(new JsonObject().put("type", "attach").put("job_id", job).encode());
      v.inputRequest(job, 1, 10_000);
      v.send(new JsonObject().put("type", "input_response").put("job_id", job).put("data", "from viewer\n").encode());
      assertEquals(ErrorCode.FORBIDDEN, v.error(e -> job.equals(e.jobId()), 10_000).code());
      s.send(new JsonObject().put("type", "attach").put("job_id", job).encode());
      assertEquals(ErrorCode.UNKNOWN_JOB, s.error(e -> job.equals(e.jobId()), 10_000).code());
      o.send(new JsonObject().put("type", "input_response").put("job_id", job).put("data", "from owner\n").encode());
      o.complete(job, 30_000);
      v.complete(job, 30_000);
      assertEquals("? got from owner\n", v.stdout(job));
    }
  }

  @Test
  void perUserConcurrentRunsAreLimited() throws Exception {
    Api u = anon.guest();
    String id = newSession(u, "limit", "python", file("main.py", "input()"));
    try (WsClient c = WsClient.connect(stack.port(), u.token)) {
      for (int i = 0; i < 2; i++) c.send(new JsonObject().put("type", "execute").put("session_id", id).put("request_id", "r" + i).encode());
      String a = c.accepted("r0").jobId(), b = c.accepted("r1").jobId();
      c.send(new JsonObject().put("type", "execute").put("session_id", id).put("request_id", "r2").encode());
      assertEquals(ErrorCode.TOO_MANY_RUNS, c.error(e -> "r2".equals(e.requestId()), 10_000).code());
      c.send(new JsonObject().put("type", "stop").put("job_id", a).encode());
      c.send(new JsonObject().put("type", "stop").put("job_id", b).encode());
      c.complete(a, 30_000);
      c.complete(b, 30_000);
      Await.until("a slot is free again", 10_000, () -> {
        c.send(new JsonObject().put("type", "execute").put("session_id", id).put("request_id", "again" + System.nanoTime()).encode());
        try {
          c.await(ServerEvent.Accepted.class, x -> x.requestId() != null && x.requestId().startsWith("again"), 2000);
          return true;
        } catch (AssertionError | InterruptedException e) {
          return false;
        }
      });
    }
  }

  @Test
  void everyRouteTheRouterServesIsInTheOpenApiDocument() throws Exception {
    JsonObject doc = anon.get("/api/openapi.json").json();
    JsonObject paths = doc.getJsonObject("paths");
    for (var route : stack.gateway.router().getRoutes()) {
      String path = route.getPath();
      if (path == null || path.equals("/") || path.equals("/api/") || path.equals("/api") || path.equals("/v1/")) continue;
      String p = path.replaceAll(":([a-z_]+)", "{$1}").replaceAll("/files/\\*?$", "/files/{path}");
      if (p.endsWith("/*") || p.equals("/*")) continue; // catch-alls: auth filter, 404, frontend
      assertTrue(paths.containsKey(p), "route " + path + " is not documented (as " + p + ")");
      if (route.methods() != null) {
        for (var m : route.methods()) {
          assertNotNull(paths.getJsonObject(p).getJsonObject(m.name().toLowerCase()), m + " " + p + " is not documented");
        }
      }
    }
  }
}
