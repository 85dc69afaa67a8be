package dev.sandpit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * C and C++ builds "worthy of an IDE", end to end over /ws/execute: multi-file programs compiled
 * unit by unit and linked, CMake and make projects, the compiler choice, sanitizers reporting from
 * the executor's sandbox, diagnostics with notes and fix-its, cache hits, refused flags.
 */
@Timeout(300)
class CppProjectsE2EIT {
  static Stack stack;

  @BeforeAll
  static void up() throws Exception {
    stack = new Stack(64500).gateway();
    stack.executor(2);
    stack.build(1);
  }

  @AfterAll
  static void down() throws Exception {
    stack.close();
  }

  static JsonObject file(String name, String content) {
    return new JsonObject().put("name", name).put("content", content);
  }

  static String execute(String requestId, String language, String compiler, JsonArray flags, JsonObject... files) {
    JsonObject m = new JsonObject().put("type", "execute").put("language", language).put("request_id", requestId)
        .put("files", new JsonArray(java.util.List.of((Object[]) files)));
    if (compiler != null) m.put("compiler", compiler);
    if (flags != null) m.put("compiler_flags", flags);
    return m.encode();
  }

  static ServerEvent.Compile compileOf(WsClient c, String job) {
    return (ServerEvent.Compile) c.events(job).stream().filter(e -> e instanceof ServerEvent.Compile).findFirst().orElseThrow();
  }

  static final JsonObject[] CALC = {
      file("main.c", "#include <stdio.h>\n#include \"calc.h\"\nint main(void){\n  int a, b;\n  printf(\"a b? \");\n"
          + "  if (scanf(\"%d %d\", &a, &b) != 2) return 1;\n  printf(\"sum=%d product=%d\\n\", add(a, b), mul(a, b));\n  return 0;\n}\n"),
      file("calc.h", "int add(int, int);\nint mul(int, int);\n"),
      file("add.c", "#include \"calc.h\"\nint add(int a, int b){ return a + b; }\n"),
      file("mul.c", "#include \"calc.h\"\nint mul(int a, int b){ return a * b; }\n")};

  @Test
  void aMultiFileProgramIsBuiltThenRunsInteractivelyAndTheRepeatIsACacheHit() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(execute("m1", "c", null, new JsonArray().add("-Wall").add("-O2"), CALC));
      String job = c.accepted("m1").jobId();
      ServerEvent.InputRequest ask = c.inputRequest(job, 1, 60_000);
      assertEquals("a b? ", ask.prompt());
      c.send(new JsonObject().put("type", "input_response").put("job_id", job).put("data", "6 7\n").encode());
      ServerEvent.Complete done = c.complete(job, 30_000);
      assertEquals(RunStatus.OK, done.status(), c.events(job).toString());
      assertEquals("a b? sum=13 product=42\n", c.stdout(job));
      ServerEvent.Compile cold = compileOf(c, job);
      assertEquals("ok", cold.status());

      c.send(execute("m2", "c", null, new JsonArray().add("-Wall").add("-O2"), CALC));
      String again = c.accepted("m2").jobId();
      c.inputRequest(again, 1, 60_000);
      c.send(new JsonObject().put("type", "input_response").put("job_id", again).put("data", "2 3\n").encode());
      assertEquals(RunStatus.OK, c.complete(again, 30_000).status());
      assertEquals("a b? sum=5 product=6\n", c.stdout(again));
      assertEquals(Boolean.TRUE, compileOf(c, again).cached());
    }
  }

  @Test
  void cmakeAndMakefileProjectsBuildAndRunWithTheChosenCompiler() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(execute("cm", "cpp", "clang++", new JsonArray().add("-std=c++20"),
          file("src/main.cpp", "#include <iostream>\n#include <span>\n#include \"lib.h\"\nint main(){ int v[] = {1, 2, 3, 4};\n"
              + "  std::cout << total(std::span<int>(v)) << (__clang__ ? \" clang\" : \"\") << std::endl; }\n"),
          file("CMakeLists.txt", "cmake_minimum_required(VERSION 3.13)\nproject(app CXX)\nadd_library(lib STATIC src/lib.cpp)\n"
              + "target_include_directories(lib PUBLIC include)\nadd_executable(app src/main.cpp)\ntarget_link_libraries(app lib)\n"),
          file("include/lib.h", "#include <span>\nint total(std::span<int>);\n"),
          file("src/lib.cpp", "#include \"lib.h\"\n#include <numeric>\nint total(std::span<int> s){ return std::accumulate(s.begin(), s.end(), 0); }\n")));
      String cm = c.accepted("cm").jobId();
      ServerEvent.Complete done = c.complete(cm, 90_000);
      assertEquals(RunStatus.OK, done.status(), compileOf(c, cm).output());
      assertEquals("10 clang\n", c.stdout(cm));
      assertTrue(compileOf(c, cm).output().contains("[sandpit] running .sandpit-build/app"), compileOf(c, cm).output());

      c.send(execute("mk", "c", "gcc", null,
          file("main.c", "#include <stdio.h>\nint version(void);\nint main(void){ printf(\"v%d\\n\", version()); return 0; }\n"),
          file("Makefile", "OBJS = main.o version.o\nmain: $(OBJS)\n\t$(CC) $(CFLAGS) -o $@ $(OBJS)\nversion.o: version.c\n\t$(CC) $(CFLAGS) -DV=3 -c version.c\n"),
          file("version.c", "int version(void){ return V; }\n")));
      String mk = c.accepted("mk").jobId();
      assertEquals(RunStatus.OK, c.complete(mk, 60_000).status(), compileOf(c, mk).output());
      assertEquals("v3\n", c.stdout(mk));
    }
  }

  @Test
  void sanitizersReportFromTheExecutorsSandbox() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(execute("asan", "c", "clang", new JsonArray().add("-g").add("-fsanitize=address,undefined"),
          file("main.c", "#include <stdio.h>\n#include <stdlib.h>\nint main(void){\n  volatile char *p = malloc(8);\n  printf(\"start \");\n"
              + "  p[8] = 1;\n  free((void *) p);\n  return 0;\n}\n")));
      String asan = c.accepted("asan").jobId();
      ServerEvent.Complete a = c.complete(asan, 60_000);
      assertEquals(RunStatus.RUNTIME_ERROR, a.status());
      assertEquals("start ", c.stdout(asan), "stdout unbuffered under the sanitizer");
      assertTrue(c.stderr(asan).contains("ERROR: AddressSanitizer: heap-buffer-overflow"), c.stderr(asan));
      assertTrue(c.stderr(asan).contains("main.c:6"), c.stderr(asan));

      c.send(execute("leak", "cpp", "g++", new JsonArray().add("-fsanitize=address"),
          file("main.cpp", "#include <cstdio>\nint *volatile keep;\nint main(){ keep = new int[25]; keep = nullptr; std::puts(\"bye\"); }\n")));
      String leak = c.accepted("leak").jobId();
      assertEquals(RunStatus.RUNTIME_ERROR, c.complete(leak, 60_000).status(), c.events(leak).toString());
      assertEquals("bye\n", c.stdout(leak));
      assertTrue(c.stderr(leak).contains("ERROR: LeakSanitizer: detected memory leaks"), c.stderr(leak));
      assertTrue(c.stderr(leak).contains("100 byte(s) leaked in 1 allocation(s)"), c.stderr(leak));
    }
  }

  @Test
  void diagnosticsCarryNotesEndColumnsAndFixItsOnTheWire() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(execute("d", "cpp", null, new JsonArray().add("-Wall"),
          file("main.cpp", "#include \"box.h\"\nint main() {\n  Box<int> b{1};\n  return b.get();\n}\n"),
          file("box.h", "template <class T> struct Box {\n  T v;\n  int get() const { return v.size(); }\n};\n")));
      String job = c.accepted("d").jobId();
      assertEquals(RunStatus.COMPILE_ERROR, c.complete(job, 60_000).status());
      JsonObject compile = c.raw().stream().map(JsonObject::new)
          .filter(o -> job.equals(o.getString("job_id")) && "compile".equals(o.getString("type"))).findFirst().orElseThrow();
      JsonObject err = compile.getJsonArray("diagnostics").stream().map(o -> (JsonObject) o)
          .filter(o -> "error".equals(o.getString("severity"))).findFirst().orElseThrow();
      assertEquals("box.h", err.getString("file"));
      assertEquals(3, err.getInteger("line"));
      assertEquals(30, err.getInteger("column"));
      assertEquals(34, err.getInteger("end_column"));
      JsonArray notes = err.getJsonArray("notes");
      assertEquals("main.cpp", notes.getJsonObject(0).getString("file"));
      assertTrue(notes.stream().map(o -> ((JsonObject) o).getString("message")).anyMatch(m -> m.equals("required from here")), notes.encode());
      assertFalse(compile.getString("output").contains("fix-it:"));

      c.send(execute("fix", "c", null, null, file("main.c", "int main(void) {\n  return 0\n}\n")));
      String fix = c.accepted("fix").jobId();
      c.complete(fix, 60_000);
      JsonObject fc = c.raw().stream().map(JsonObject::new)
          .filter(o -> fix.equals(o.getString("job_id")) && "compile".equals(o.getString("type"))).findFirst().orElseThrow();
      JsonObject fixit = fc.getJsonArray("diagnostics").getJsonObject(0).getJsonArray("fixits").getJsonObject(0);
      assertEquals(new JsonObject().put("file", "main.c").put("line", 2).put("column", 11).put("end_line", 2).put("end_column", 11)
          .put("replacement", ";"), fixit);
    }
  }

  @Test
  void refusedFlagsAndUnknownCompilersAreInvalidFieldErrorsNamingThem() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(execute("f", "c", null, new JsonArray().add("-O2").add("-Wl,-plugin,/tmp/x.so"), file("main.c", "int main(void){return 0;}\n")));
      ServerEvent.Error e = c.error(x -> "f".equals(x.requestId()), 5000);
      assertEquals(ErrorCode.INVALID_FIELD, e.code());
      assertTrue(e.message().contains("'-Wl,-plugin,/tmp/x.so'"), e.message());
      c.send(execute("cc", "cpp", "icc", null, file("main.cpp", "int main(){}\n")));
      ServerEvent.Error e2 = c.error(x -> "cc".equals(x.requestId()), 5000);
      assertEquals(ErrorCode.INVALID_FIELD, e2.code());
      assertTrue(e2.message().contains("'icc'") && e2.message().contains("g++, clang++"), e2.message());
    }
  }
}
