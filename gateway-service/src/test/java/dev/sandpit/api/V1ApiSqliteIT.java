package dev.sandpit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.e2e.Stack;
import dev.sandpit.e2e.WsClient;
import dev.sandpit.protocol.RunStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Seed 000's /v1 API and terminal over real HTTP and WebSockets. */
@Timeout(120)
class V1ApiSqliteIT {
  static Stack stack;
  static Api anon;

  @BeforeAll
  static void up() throws Exception {
    stack = new Stack(63700).gateway();
    stack.executor(2);
    stack.build(1);
    anon = new Api(stack.port());
  }

  @AfterAll
  static void down() throws Exception {
    stack.close();
  }

  static String session(Api u) throws Exception {
    return u.post("/api/sessions", new JsonObject().put("name", "v1").put("language", "python")
        .put("files", new JsonArray().add(new JsonObject().put("path", "main.py").put("content", "print('main')")))).json().getString("id");
  }

  @Test
  void filesWriteReadListUseSeedPaths() throws Exception {
    Api u = anon.guest();
    String id = session(u);
    Api.Res w = u.post("/v1/sessions/files/write", new JsonObject().put("session_id", id).put("path", "/src/util.py").put("content", "X = 1\n"));
    assertEquals(200, w.status(), w.body());
    assertEquals("/src/util.py", w.json().getString("path"));
    assertEquals("X = 1\n", u.post("/v1/sessions/files/read", new JsonObject().put("session_id", id).put("path", "/src/util.py")).json().getString("content"));
    JsonArray files = u.post("/v1/sessions/files/list", new JsonObject().put("session_id", id).put("directory", "/src")).json().getJsonArray("files");
    assertEquals(List.of("/src/util.py"), files.stream().map(o -> ((JsonObject) o).getString("path")).toList());
    assertEquals(404, anon.guest().post("/v1/sessions/files/read", new JsonObject().put("session_id", id).put("path", "/src/util.py")).status());
    assertEquals(401, anon.post("/v1/sessions/files/list", new JsonObject().put("session_id", id)).status());
    assertEquals(400, u.post("/v1/sessions/files/write", new JsonObject().put("session_id", id).put("path", "/../etc/x").put("content", "")).status());
  }

  @Test
  void executePythonSavesTheCodeAnswersAtOnceAndStreamsToWatchers() throws Exception {
    Api u = anon.guest();
    String id = session(u);
    Api.Res r = u.post("/v1/sessions/execute/python", new JsonObject().put("session_id", id).put("language", "python")
        .put("code", "print('Hello, CoSim')").put("file_path", "/src/test.py"));
    assertEquals(200, r.status(), r.body());
    assertEquals("running", r.json().getString("status"));
    String job = r.json().getString("execution_id");
    try (WsClient c = WsClient.connect(stack.port(), u.token)) {
      c.send(new JsonObject().put("type", "attach").put("job_id", job).put("after_seq", 0).encode());
      assertEquals(RunStatus.OK, c.complete(job, 30_000).status());
      assertEquals("Hello, CoSim\n", c.stdout(job));
    }
    assertEquals("print('Hello, CoSim')", u.get("/api/sessions/" + id + "/files/src/test.py").json().getString("content"));
  }

  @Test
  void buildCppThenExecuteBinaryRunsTheBuiltProgram() throws Exception {
    Api u = anon.guest();
    String id = u.post("/api/sessions", new JsonObject().put("name", "cpp").put("language", "cpp")
        .put("files", new JsonArray().add(new JsonObject().put("path", "src/main.cpp")
            .put("content", "#include <iostream>\nint main(int c, char** v){ std::cout << \"built \" << (c > 1 ? v[1] : \"-\") << std::endl; }\n")))).json().getString("id");
    Api.Res b = u.post("/v1/sessions/build/cpp", new JsonObject().put("session_id", id).put("source_files", new JsonArray().add("/src/main.cpp"))
        .put("output_binary", "/workspace/build/main").put("compiler", "g++").put("flags", new JsonArray().add("-std=c++17").add("-O2")));
    assertEquals(200, b.status(), b.body());
    assertEquals("success", b.json().getString("status"), b.body());
    assertEquals(List.of("/workspace/build/main"), b.json().getJsonArray("artifacts").getList());
    Api.Res run = u.post("/v1/sessions/execute/binary", new JsonObject().put("session_id", id).put("binary_path", "/workspace/build/main")
        .put("args", new JsonArray().add("--verbose")));
    assertEquals(200, run.status(), run.body());
    String job = run.json().getString("execution_id");
    try (WsClient c = WsClient.connect(stack.port(), u.token)) {
      c.send(new JsonObject().put("type", "attach").put("job_id", job).put("after_seq", 0).encode());
      assertEquals(RunStatus.OK, c.complete(job, 30_000).status());
      assertEquals("built --verbose\n", c.stdout(job));
    }
    Api.Res bad = u.post("/v1/sessions/build/cpp", new JsonObject().put("session_id", id).put("flags", new JsonArray().add("-fplugin=evil.so")));
    assertEquals(400, bad.status());
    assertTrue(bad.body().contains("-fplugin"), bad.body());
    String broken = u.post("/api/sessions", new JsonObject().put("name", "broken").put("language", "cpp")
        .put("files", new JsonArray().add(new JsonObject().put("path", "main.cpp").put("content", "int main() { return x; }\n")))).json().getString("id");
    Api.Res err = u.post("/v1/sessions/build/cpp", new JsonObject().put("session_id", broken));
    assertEquals("error", err.json().getString("status"), err.body());
    assertTrue(err.json().getString("stderr").contains("x"), err.body());
    assertEquals(404, u.post("/v1/sessions/execute/binary", new JsonObject().put("session_id", broken).put("binary_path", "/workspace/build/main")).status());
  }

  @Test
  void executeBinaryWritesStdinThenClosesItSoAProgramReadingToEofEnds() throws Exception {
    Api u = anon.guest();
    String id = u.post("/api/sessions", new JsonObject().put("name", "wc").put("language", "c")
        .put("files", new JsonArray().add(new JsonObject().put("path", "main.c")
            .put("content", "#include <stdio.h>\nint main(void){ long n = 0, s = 0, x; while (scanf(\"%ld\", &x) == 1) { n++; s += x; }"
                + " printf(\"n=%ld sum=%ld\\n\", n, s); return 0; }\n")))).json().getString("id");
    Api.Res b = u.post("/v1/sessions/build/c", new JsonObject().put("session_id", id));
    assertEquals("success", b.json().getString("status"), b.body());
    long t0 = System.nanoTime();
    Api.Res run = u.post("/v1/sessions/execute/binary", new JsonObject().put("session_id", id).put("binary_path", "/workspace/build/main")
        .put("stdin", "1 2 3\n40\n"));
    assertEquals(200, run.status(), run.body());
    String job = run.json().getString("execution_id");
    try (WsClient c = WsClient.connect(stack.port(), u.token)) {
      c.send(new JsonObject().put("type", "attach").put("job_id", job).put("after_seq", 0).encode());
      // well before the 30 s wall limit that a program waiting for more input would run into
      assertEquals(RunStatus.OK, c.complete(job, 15_000).status());
      assertEquals("n=4 sum=46\n", c.stdout(job));
    }
    assertTrue(System.nanoTime() - t0 < 15_000_000_000L);
    JsonObject rec = u.get("/api/runs/" + job).json();
    assertEquals("1 2 3\n40\n", rec.getString("stdin"), rec.encode());
    assertEquals(400, u.post("/v1/sessions/execute/binary", new JsonObject().put("session_id", id).put("binary_path", "/workspace/build/main")
        .put("stdin", 5)).status());
  }

  @Test
  void v1BuildAndExecuteOfASessionUseTheSessionsCompilerAndFlags() throws Exception {
    Api u = anon.guest();
    String src = "#include <cstdio>\nint main(){\n#ifdef __clang__\n std::puts(\"clang\");\n#else\n std::puts(\"gcc\");\n#endif\n"
        + "#ifdef FROM_SETTINGS\n std::puts(\"flags\");\n#endif\n}\n";
    String id = u.post("/api/sessions", new JsonObject().put("name", "which").put("language", "cpp")
        .put("files", new JsonArray().add(new JsonObject().put("path", "main.cpp").put("content", src)))).json().getString("id");
    Api.Res put = u.call("PUT", "/api/sessions/" + id + "/settings",
        new JsonObject().put("compiler", "clang++").put("compiler_flags", new JsonArray().add("-DFROM_SETTINGS")).encode());
    assertEquals(200, put.status(), put.body());
    Api.Res b = u.post("/v1/sessions/build/cpp", new JsonObject().put("session_id", id));
    assertEquals("success", b.json().getString("status"), b.body());
    Api.Res run = u.post("/v1/sessions/execute/binary", new JsonObject().put("session_id", id).put("binary_path", "/workspace/build/main"));
    Api.Res exec = u.post("/v1/sessions/execute/cpp", new JsonObject().put("session_id", id));
    try (WsClient c = WsClient.connect(stack.port(), u.token)) {
      for (Api.Res r : List.of(run, exec)) {
        assertEquals(200, r.status(), r.body());
        String job = r.json().getString("execution_id");
        c.send(new JsonObject().put("type", "attach").put("job_id", job).put("after_seq", 0).encode());
        assertEquals(RunStatus.OK, c.complete(job, 60_000).status());
        assertEquals("clang\nflags\n", c.stdout(job), r.body());
      }
      // a run that names its own compiler keeps it
      c.send(new JsonObject().put("type", "execute").put("session_id", id).put("compiler", "g++").put("request_id", "own").encode());
      String job = c.accepted("own").jobId();
      assertEquals(RunStatus.OK, c.complete(job, 60_000).status());
      assertEquals("gcc\nflags\n", c.stdout(job));
    }
  }

  /** A seed-000 terminal client: collects messages as JSON. */
  static final class Term implements WebSocket.Listener, AutoCloseable {
    final List<JsonObject> got = new ArrayList<>();
    final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    static Term open(int port, String session, String token) throws Exception {
      Term t = new Term();
      t.ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/sessions/" + session + "/terminal?token=" + token), t).get(10, TimeUnit.SECONDS);
      return t;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        synchronized (this) {
          got.add(new JsonObject(partial.toString()));
          notifyAll();
        }
        partial.setLength(0);
      }
      w.request(1);
      return null;
    }

    void send(JsonObject o) {
      ws.sendText(o.encode(), true).join();
    }

    synchronized int count(String type) {
      return (int) got.stream().filter(o -> type.equals(o.getString("type"))).count();
    }

    synchronized void awaitCount(String type, int n, long ms) throws InterruptedException {
      long deadline = System.currentTimeMillis() + ms;
      while (count(type) < n) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) throw new AssertionError("no " + n + " x " + type + " in " + ms + " ms: " + got);
        wait(left);
      }
    }

    synchronized String output() {
      StringBuilder sb = new StringBuilder();
      for (JsonObject o : got) if ("output".equals(o.getString("type"))) sb.append(o.getString("content"));
      return sb.toString();
    }

    synchronized JsonObject last(String type) {
      JsonObject l = null;
      for (JsonObject o : got) if (type.equals(o.getString("type"))) l = o;
      return l;
    }

    @Override
    public void close() {
      ws.abort();
    }
  }

  @Test
  void terminalRunsCommandsTypesIntoThemAndInterrupts() throws Exception {
    Api u = anon.guest();
    String id = session(u);
    try (Term t = Term.open(stack.port(), id, u.token)) {
      t.awaitCount("prompt", 1, 10_000);
      t.send(new JsonObject().put("type", "command").put("command", "ls -a; whoami; echo made > made.txt"));
      t.awaitCount("exit", 1, 30_000);
      assertEquals(0, t.last("exit").getInteger("code"));
      // only the session's own files: no helper script, no shell or Python history (issue 11.9)
      assertTrue(t.output().contains(".\r\n..\r\nmain.py\r\nsandbox\r\n") || t.output().contains(".\n..\nmain.py\nsandbox\n"), t.output());
      t.send(new JsonObject().put("type", "command").put("command", "read x; echo got $x"));
      t.send(new JsonObject().put("type", "command").put("command", "abc"));
      t.awaitCount("exit", 2, 30_000);
      assertTrue(t.output().contains("got abc"), t.output());
      t.send(new JsonObject().put("type", "command").put("command", "sleep 100"));
      t.send(new JsonObject().put("type", "resize").put("rows", 40).put("cols", 120));
      t.send(new JsonObject().put("type", "interrupt"));
      t.awaitCount("exit", 3, 30_000);
      assertEquals("stopped", t.last("exit").getString("status"));
      t.awaitCount("prompt", 4, 10_000);
    }
    assertEquals("made\n", u.get("/api/sessions/" + id + "/files/made.txt").json().getString("content"));
    assertEquals(List.of("made.txt", "main.py"), u.get("/api/sessions/" + id + "/files").json().getJsonArray("files").stream()
        .map(o -> ((JsonObject) o).getString("path")).sorted().toList());
    assertEquals(3, u.get("/api/sessions/" + id + "/runs").json().getLong("total"), "terminal commands are in the history");
  }
}
