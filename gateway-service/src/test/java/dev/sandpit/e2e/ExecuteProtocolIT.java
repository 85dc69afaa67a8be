package dev.sandpit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ExecuteProtocolIT {
  static Stack stack;

  @BeforeAll
  static void up() throws Exception {
    stack = new Stack(63000).gateway();
    stack.executor(3);
    stack.build(1);
  }

  @AfterAll
  static void down() throws Exception {
    stack.close();
  }

  static String exec(String lang, String code, String requestId) {
    return new JsonObject().put("type", "execute").put("language", lang).put("code", code).put("request_id", requestId).encode();
  }

  @Test
  void pythonHelloStreamsOutputAndCompletesWithNumberedEvents() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(exec("python", "print('hello')", "r1"));
      String job = c.accepted("r1").jobId();
      ServerEvent.Complete done = c.complete(job, 20_000);
      assertEquals(RunStatus.OK, done.status());
      assertEquals(0, done.exitCode());
      assertEquals("hello\n", c.stdout(job));
      List<ServerEvent> evs = c.events(job);
      for (int i = 0; i < evs.size(); i++) assertEquals(i + 1, evs.get(i).seq(), "seq of event " + i);
      assertTrue(evs.get(0) instanceof ServerEvent.Accepted);
      // the worker says when the program starts, before any output: a client can tell queued from running
      assertEquals(new ServerEvent.Started(2L, job, "run"), evs.get(1));
      assertTrue(evs.get(2) instanceof ServerEvent.Output, evs.toString());
      assertNotNull(done.cpuMs());
      assertTrue(done.memoryKb() > 0);
    }
  }

  @Test
  void interactiveRunAsksAndUsesTheAnswer() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(exec("python", "n = input('Name? ')\nprint('Hello, ' + n)\n", "r2"));
      String job = c.accepted("r2").jobId();
      ServerEvent.InputRequest req = c.inputRequest(job, 1, 20_000);
      assertEquals("Name? ", req.prompt());
      c.send(new JsonObject().put("type", "input_response").put("data", "Ada\n").encode());
      assertEquals(RunStatus.OK, c.complete(job, 20_000).status());
      assertEquals("Name? Hello, Ada\n", c.stdout(job));
    }
  }

  @Test
  void badFramesGetCodedErrorsAndTheConnectionStaysUsable() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send("{not json");
      assertEquals(ErrorCode.BAD_JSON, c.error(e -> true, 5000).code());
      c.send("{\"type\":\"dance\"}");
      c.error(e -> e.code() == ErrorCode.UNKNOWN_TYPE, 5000);
      c.send("{\"language\":\"python\"}");
      c.error(e -> e.code() == ErrorCode.MISSING_FIELD, 5000);
      c.send(exec("cobol", "x", "bad-lang"));
      assertEquals(ErrorCode.UNKNOWN_LANGUAGE, c.error(e -> "bad-lang".equals(e.requestId()), 5000).code());
      c.send(exec("python", "#".repeat(300_000), "big"));
      assertEquals(ErrorCode.CODE_TOO_LARGE, c.error(e -> "big".equals(e.requestId()), 5000).code());
      c.send(new JsonObject().put("type", "execute").put("language", "python").put("code", 5).put("request_id", "t").encode());
      c.error(e -> e.code() == ErrorCode.INVALID_FIELD, 5000);
      c.send(new JsonObject().put("type", "input_response").put("data", "x").encode());
      c.error(e -> e.code() == ErrorCode.UNKNOWN_JOB, 5000);
      c.send(new JsonObject().put("type", "execute").put("language", "python").put("code", "print(1)")
          .put("limits", new JsonObject().put("wall_ms", 999_999_999)).put("request_id", "lim").encode());
      assertEquals(ErrorCode.LIMIT_EXCEEDED, c.error(e -> "lim".equals(e.requestId()), 5000).code());
      // still usable
      c.send(exec("python", "print(6*7)", "after"));
      String job = c.accepted("after").jobId();
      assertEquals(RunStatus.OK, c.complete(job, 20_000).status());
      assertEquals("42\n", c.stdout(job));
    }
  }

  static String execWith(String lang, String code, String requestId, JsonObject extra) {
    JsonObject o = new JsonObject().put("type", "execute").put("language", lang).put("code", code).put("request_id", requestId);
    extra.forEach(e -> o.put(e.getKey(), e.getValue()));
    return o.encode();
  }

  @Test
  void reconnectingClientAttachesAfterSeqAndGetsEveryLaterEventExactlyOnce() throws Exception {
    String job;
    long seen;
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(exec("python", "import time\nfor i in range(6):\n    print(i, flush=True)\n    time.sleep(0.15)\n", "long"));
      job = c.accepted("long").jobId();
      String j = job;
      c.await(ServerEvent.Output.class, o -> o.jobId().equals(j) && o.data().contains("1"), 20_000);
      seen = c.events(job).get(c.events(job).size() - 1).seq();
    }
    try (WsClient c2 = WsClient.connect(stack.port())) {
      c2.send(new JsonObject().put("type", "attach").put("job_id", job).put("after_seq", seen).encode());
      ServerEvent.Complete done = c2.complete(job, 20_000);
      assertEquals(RunStatus.OK, done.status());
      List<ServerEvent> evs = c2.events(job);
      for (int i = 0; i < evs.size(); i++) assertEquals(seen + 1 + i, evs.get(i).seq(), "exactly once, in order");
      // the whole transcript, replayed from the start on a third connection
      try (WsClient c3 = WsClient.connect(stack.port())) {
        c3.send(new JsonObject().put("type", "attach").put("job_id", job).put("after_seq", 0).encode());
        c3.complete(job, 20_000);
        assertEquals("0\n1\n2\n3\n4\n5\n", c3.stdout(job));
        assertEquals(done.seq(), (long) c3.events(job).size());
      }
    }
  }

  @Test
  void attachToAnUnknownJobIsAnErrorAndTheSocketStaysUsable() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(new JsonObject().put("type", "attach").put("job_id", "0".repeat(32)).encode());
      assertEquals(ErrorCode.UNKNOWN_JOB, c.error(e -> true, 5000).code());
      c.send(exec("python", "print('ok')", "x"));
      assertEquals(RunStatus.OK, c.complete(c.accepted("x").jobId(), 20_000).status());
    }
  }

  @Test
  void severalRunsOnOneConnectionAreToldApartByJobId() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(exec("python", "a = input('A? ')\nprint('got', a)", "a"));
      c.send(exec("python", "b = input('B? ')\nprint('got', b)", "b"));
      String a = c.accepted("a").jobId();
      String b = c.accepted("b").jobId();
      c.inputRequest(a, 1, 20_000);
      c.inputRequest(b, 1, 20_000);
      c.send(new JsonObject().put("type", "input_response").put("data", "1\n").encode());
      assertEquals(ErrorCode.AMBIGUOUS_JOB, c.error(e -> true, 5000).code());
      c.send(new JsonObject().put("type", "input_response").put("job_id", b).put("data", "bee\n").encode());
      c.send(new JsonObject().put("type", "input_response").put("job_id", a).put("data", "ay\n").encode());
      c.complete(a, 20_000);
      c.complete(b, 20_000);
      assertEquals("A? got ay\n", c.stdout(a));
      assertEquals("B? got bee\n", c.stdout(b));
    }
  }

  @Test
  void stdinGivenUpFrontIsReadWithoutPromptsAndThenEof() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(execWith("python", "import sys\nprint(sum(int(l) for l in sys.stdin))", "s", new JsonObject().put("stdin", "1\n2\n39\n")));
      String job = c.accepted("s").jobId();
      assertEquals(RunStatus.OK, c.complete(job, 20_000).status());
      assertEquals("42\n", c.stdout(job));
      assertEquals(0, c.events(job).stream().filter(e -> e instanceof ServerEvent.InputRequest).count());
    }
  }

  @Test
  void eofEndsStdinAndStopEndsARunWithStatusStopped() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(exec("python", "import sys\ndata = sys.stdin.read()\nprint(len(data))", "eof"));
      String job = c.accepted("eof").jobId();
      c.inputRequest(job, 1, 20_000);
      c.send(new JsonObject().put("type", "input_response").put("job_id", job).put("data", "abc").encode());
      c.send(new JsonObject().put("type", "eof").put("job_id", job).encode());
      assertEquals(RunStatus.OK, c.complete(job, 20_000).status());
      assertEquals("3\n", c.stdout(job));
      c.send(new JsonObject().put("type", "eof").put("job_id", job).encode());
      assertEquals(ErrorCode.JOB_FINISHED, c.error(e -> job.equals(e.jobId()), 5000).code());

      c.send(exec("python", "print('looping', flush=True)\nwhile True: pass", "loop"));
      String loop = c.accepted("loop").jobId();
      c.await(ServerEvent.Output.class, o -> o.jobId().equals(loop), 20_000);
      c.send(new JsonObject().put("type", "stop").put("job_id", loop).encode());
      ServerEvent.Complete stopped = c.complete(loop, 10_000);
      assertEquals(RunStatus.STOPPED, stopped.status());
      assertTrue(c.stderr(loop).contains("KeyboardInterrupt"), "SIGINT first: " + c.stderr(loop));
    }
  }

  @Test
  void verdictsForTimeoutMemoryOutputAndRuntimeErrors() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(execWith("python", "import time\ntime.sleep(30)", "t", new JsonObject().put("limits", new JsonObject().put("wall_ms", 700))));
      c.send(execWith("python", "x = bytearray(400 * 1024 * 1024)\nprint(len(x))", "m", new JsonObject().put("limits", new JsonObject().put("memory_mb", 64))));
      c.send(execWith("python", "while True: print('y' * 1000)", "o", new JsonObject().put("limits", new JsonObject().put("output_kb", 64))));
      String t = c.accepted("t").jobId(), m = c.accepted("m").jobId(), o = c.accepted("o").jobId();
      ServerEvent.Complete ct = c.complete(t, 20_000);
      assertEquals(RunStatus.TIMEOUT, ct.status());
      assertTrue(ct.executionTime() >= 700 && ct.executionTime() < 3000, "killed near the limit: " + ct.executionTime());
      assertEquals(RunStatus.MEMORY_LIMIT, c.complete(m, 20_000).status());
      ServerEvent.Complete co = c.complete(o, 20_000);
      assertEquals(RunStatus.OUTPUT_LIMIT, co.status());
      assertEquals(Boolean.TRUE, co.truncated());
      assertTrue(c.stdout(o).length() <= 64 * 1024, "capped: " + c.stdout(o).length());
      assertTrue(c.stderr(o).contains("[output truncated"), "visible notice");

      c.send(exec("python", "import sys\nprint('oops', file=sys.stderr)\nsys.exit(3)", "rt"));
      String rt = c.accepted("rt").jobId();
      ServerEvent.Complete crt = c.complete(rt, 20_000);
      assertEquals(RunStatus.RUNTIME_ERROR, crt.status());
      assertEquals(3, crt.exitCode());
      assertEquals("oops\n", c.stderr(rt));

      c.send(exec("c", "#include <signal.h>\nint main(){ raise(SIGSEGV); }", "seg"));
      String seg = c.accepted("seg").jobId();
      ServerEvent.Complete cseg = c.complete(seg, 30_000);
      assertEquals(RunStatus.RUNTIME_ERROR, cseg.status());
      assertEquals("SIGSEGV", cseg.signal());
    }
  }

  @Test
  void compileErrorsComeAsDiagnosticsThenCompileErrorStatus() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(exec("c", "int main(void) {\n  return y;\n}\n", "ce"));
      String job = c.accepted("ce").jobId();
      ServerEvent.Complete done = c.complete(job, 30_000);
      assertEquals(RunStatus.COMPILE_ERROR, done.status());
      ServerEvent.Compile comp = (ServerEvent.Compile) c.events(job).stream().filter(e -> e instanceof ServerEvent.Compile).findFirst().orElseThrow();
      assertEquals("error", comp.status());
      List<ServerEvent> evs = c.events(job);
      assertEquals(new ServerEvent.Started(2L, job, "compile"), evs.get(1), "the build worker says when it starts compiling");
      assertEquals(comp, evs.get(2));
      assertTrue(evs.stream().noneMatch(e -> e instanceof ServerEvent.Started st && st.stage().equals("run")), "a program that did not compile never starts");
      var d = comp.diagnostics().stream().filter(x -> x.severity().equals("error")).findFirst().orElseThrow();
      assertEquals("main.c", d.file());
      assertEquals(2, d.line());
      assertTrue(comp.output().contains("undeclared"), comp.output());
      assertEquals(10, d.column());
      // the same program again: the fixed version compiles, a repeat is a cache hit
      c.send(exec("c", "int main(void){return 0;}", "fix1"));
      c.complete(c.accepted("fix1").jobId(), 30_000);
      c.send(exec("c", "int main(void){return 0;}", "fix2"));
      String again = c.accepted("fix2").jobId();
      assertEquals(RunStatus.OK, c.complete(again, 30_000).status());
      ServerEvent.Compile hit = (ServerEvent.Compile) c.events(again).stream().filter(e -> e instanceof ServerEvent.Compile).findFirst().orElseThrow();
      assertEquals(Boolean.TRUE, hit.cached());
      List<String> types = c.events(again).stream().map(e -> e.getClass().getSimpleName() + (e instanceof ServerEvent.Started st ? ":" + st.stage() : "")).toList();
      assertEquals(List.of("Accepted", "Compile", "Started:run", "Complete"), types, "a cache hit compiles nothing, then runs");
    }
  }

  @Test
  void tooManyRunsOnOneConnectionIsRefused() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      for (int i = 0; i < 8; i++) c.send(exec("python", "input()", "w" + i));
      for (int i = 0; i < 8; i++) c.accepted("w" + i);
      c.send(exec("python", "print(1)", "ninth"));
      assertEquals(ErrorCode.TOO_MANY_RUNS, c.error(e -> "ninth".equals(e.requestId()), 5000).code());
      for (int i = 0; i < 8; i++) {
        String j = c.accepted("w" + i).jobId();
        c.send(new JsonObject().put("type", "stop").put("job_id", j).encode());
      }
      for (int i = 0; i < 8; i++) c.complete(c.accepted("w" + i).jobId(), 30_000);
    }
  }

  @Test
  void healthAndLanguagesAnswerFromTheLiveFleet() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + stack.port() + "/health")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    JsonObject h = new JsonObject(health.body());
    assertEquals("ok", h.getString("status"));
    assertEquals(1, h.getJsonObject("workers").getInteger("executor"));
    var langs = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + stack.port() + "/api/languages")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    io.vertx.core.json.JsonArray arr = new io.vertx.core.json.JsonArray(langs.body());
    List<String> names = arr.stream().map(o -> ((JsonObject) o).getString("name")).toList();
    assertTrue(names.containsAll(List.of("python", "javascript", "bash", "c", "cpp", "rust", "go", "java")), names.toString());
    JsonObject c = arr.stream().map(o -> (JsonObject) o).filter(o -> o.getString("name").equals("c")).findFirst().orElseThrow();
    assertEquals(List.of("build", "executor"), c.getJsonArray("kinds").getList());
    assertTrue(c.getString("version").contains("gcc"), c.encode());
    assertEquals("main.c", c.getString("main"));
  }
}
