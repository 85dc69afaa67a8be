package dev.sandpit.build.jobs;

import static dev.sandpit.build.jobs.BuildSandbox.files;
import static dev.sandpit.build.jobs.BuildSandbox.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.Diagnostic;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The build worker through Redis, as the gateway and executors see it: the compile event, the
 * content-addressed cache (hits reported as cached, the compiler and flags in the key, the size
 * cap), and the worker's own check of what it takes from the queue.
 */
@Timeout(240)
class BuildWorkerIT {
  static final long CACHE_MAX = 256 << 10;
  static BuildWorker w;

  @BeforeAll
  static void up() throws Exception {
    w = new BuildWorker(64300, 1, new BuildOptions(2, CACHE_MAX), 30_000);
  }

  @AfterAll
  static void down() throws Exception {
    w.close();
  }

  static final String HELLO = "#include <stdio.h>\nint main(void){ puts(\"hello\"); return 0; }\n";

  static BuildWorker.Outcome built(JobSpec spec) throws Exception {
    BuildWorker.Outcome o = w.build(spec, 60_000);
    assertNotNull(o.handedOver(), "handed to the executors: " + o.events());
    assertEquals("ok", o.compile().status(), o.compile().output());
    return o;
  }

  long ttl(String artifact) throws Exception {
    return w.send(Request.cmd(Command.TTL).arg(Keys.artifact(artifact))).toLong();
  }

  @Test
  void aRepeatedBuildIsACacheHitAndSaysSo() throws Exception {
    BuildWorker.Outcome cold = built(job("c", null, List.of("-O2"), files("main.c", HELLO)));
    assertEquals(Boolean.FALSE, cold.compile().cached());
    String hash = cold.handedOver().artifact();
    assertEquals(64, hash.length());
    long ttl = ttl(hash);
    assertTrue(ttl > 3500 && ttl <= 3600, "cache TTL " + ttl);
    BuildWorker.Outcome hit = built(job("c", null, List.of("-O2"), files("main.c", HELLO)));
    assertEquals(Boolean.TRUE, hit.compile().cached());
    assertEquals(hash, hit.handedOver().artifact());
    assertEquals("", hit.compile().output());
    assertTrue(hit.compile().durationMs() < cold.compile().durationMs(), hit.compile().durationMs() + " vs " + cold.compile().durationMs());
  }

  @Test
  void theCompilerAndTheFlagsArePartOfTheKey() throws Exception {
    String gcc = built(job("c", "gcc", List.of(), files("main.c", HELLO))).handedOver().artifact();
    BuildWorker.Outcome clang = built(job("c", "clang", List.of(), files("main.c", HELLO)));
    assertEquals(Boolean.FALSE, clang.compile().cached());
    assertEquals("clang", clang.handedOver().compiler());
    assertNotEquals(gcc, clang.handedOver().artifact());
    BuildWorker.Outcome o0 = built(job("c", "gcc", List.of("-O0"), files("main.c", HELLO)));
    assertEquals(Boolean.FALSE, o0.compile().cached());
    assertNotEquals(gcc, o0.handedOver().artifact());
    assertEquals(gcc, built(job("c", null, List.of(), files("main.c", HELLO))).handedOver().artifact(), "gcc is the default");
  }

  static Map<String, String> fiveFiles() {
    return files(
        "main.cpp", "#include <iostream>\n#include \"shapes.h\"\nint main(){ std::cout << area(square(3)) + area(circle(1)) << std::endl; }\n",
        "shapes.h", "#pragma once\nstruct Shape { double w, h; bool round; };\nShape square(double);\nShape circle(double);\ndouble area(Shape);\n",
        "square.cpp", "#include \"shapes.h\"\nShape square(double s){ return {s, s, false}; }\n",
        "circle.cpp", "#include \"shapes.h\"\nShape circle(double r){ return {2 * r, 2 * r, true}; }\n",
        "area.cpp", "#include \"shapes.h\"\ndouble area(Shape s){ return s.round ? 3.0 * s.w * s.h / 4 : s.w * s.h; }\n");
  }

  @Test
  void aMultiFileProjectIsCachedAsAWholeAndAnyFileChangesTheKey() throws Exception {
    BuildWorker.Outcome cold = built(job("cpp", "g++", List.of("-Wall"), fiveFiles()));
    assertEquals(Boolean.FALSE, cold.compile().cached());
    BuildWorker.Outcome hit = built(job("cpp", "g++", List.of("-Wall"), fiveFiles()));
    assertEquals(Boolean.TRUE, hit.compile().cached());
    Map<String, String> changed = fiveFiles();
    changed.put("shapes.h", changed.get("shapes.h") + "// a comment\n");
    BuildWorker.Outcome miss = built(job("cpp", "g++", List.of("-Wall"), changed));
    assertEquals(Boolean.FALSE, miss.compile().cached(), "a header is an input too");
    assertNotEquals(cold.handedOver().artifact(), miss.handedOver().artifact());
  }

  @Test
  void programsOverTheCacheCapReachTheExecutorButAreNotCached() throws Exception {
    // initialised data the program indexes at run time: 512 KB in the executable
    String big = "char blob[512 * 1024] = {1, 2, 3};\nint main(int argc, char **argv){ return blob[argc * 1000]; }\n";
    BuildWorker.Outcome o = built(job("c", null, List.of(), files("main.c", big)));
    String key = o.handedOver().artifact();
    assertEquals("job-" + o.handedOver().jobId(), key, "stored under the job's own key");
    long bytes = w.send(Request.cmd(Command.HSTRLEN).arg(Keys.artifact(key)).arg("main")).toLong();
    assertTrue(bytes > CACHE_MAX, "the program is there: " + bytes);
    long ttl = ttl(key);
    assertTrue(ttl > 0 && ttl <= 660, "expires soon after the job's queue deadline: " + ttl);
    BuildWorker.Outcome again = built(job("c", null, List.of(), files("main.c", big)));
    assertEquals(Boolean.FALSE, again.compile().cached(), "never a cache hit");
    assertEquals("job-" + again.handedOver().jobId(), again.handedOver().artifact());
  }

  @Test
  void theWorkerRefusesFlagsAndCompilersTheGatewayWouldRefuse() throws Exception {
    for (JobSpec bad : List.of(job("c", null, List.of("-O2", "-fplugin=./x.so"), files("main.c", HELLO)),
        job("cpp", "tcc", List.of(), files("main.cpp", "int main(){}\n")))) {
      BuildWorker.Outcome o = w.build(bad, 30_000);
      assertNull(o.handedOver());
      assertEquals("error", o.compile().status());
      ServerEvent.Complete c = o.complete();
      assertEquals(RunStatus.COMPILE_ERROR, c.status());
      String named = bad.compiler() == null ? "'-fplugin=./x.so'" : "'tcc'";
      assertTrue(c.message().contains(named) && o.compile().output().contains(named), c.message());
    }
  }

  @Test
  void compileErrorsComeAsDiagnosticsWithNotesFixItsAndEditorColumns() throws Exception {
    JobSpec spec = job("c", "gcc", List.of("-Wall"), files("main.c",
        "#include <stdio.h>\n#include \"util.h\"\nint main(void){\n  const char *s = \"ünï\"; prinf(\"%s\", s);\n  return twice(2)\n}\n",
        "util.h", "static int twice(int x){ return 2 * y; }\n"));
    BuildWorker.Outcome o = w.build(spec, 60_000);
    assertEquals(RunStatus.COMPILE_ERROR, o.complete().status());
    ServerEvent.Compile c = o.compile();
    assertEquals("error", c.status());
    assertFalse(c.output().contains("fix-it:"), "the machine-readable fix-its are in the diagnostics, not the output");
    Diagnostic y = c.diagnostics().stream().filter(d -> "util.h".equals(d.file()) && d.severity().equals("error")).findFirst().orElseThrow();
    assertEquals(1, y.line());
    assertEquals(37, y.column());
    assertEquals(38, y.endColumn());
    assertEquals("main.c", y.notes().get(0).file(), "the include chain: " + y.notes());
    assertEquals(2, y.notes().get(0).line());
    Diagnostic prinf = c.diagnostics().stream().filter(d -> d.message().contains("prinf")).findFirst().orElseThrow();
    assertEquals("warning", prinf.severity());
    assertEquals(4, prinf.line());
    assertEquals(26, prinf.column(), "after the 2-byte ü and ï: column 26, byte 28");
    assertEquals("printf", prinf.fixits().get(0).replacement());
    assertEquals(26, prinf.fixits().get(0).column());
    assertEquals(31, prinf.fixits().get(0).endColumn());
    Diagnostic semi = c.diagnostics().stream().filter(d -> d.message().contains("expected")).findFirst().orElseThrow();
    assertEquals(List.of(new Diagnostic.FixIt("main.c", 5, 18, 5, 18, ";")), semi.fixits());
  }

  @Test
  void aFailedMultiUnitBuildShowsTheCompilersErrorsButNotMakesTrailersNamingInternalPaths() throws Exception {
    BuildWorker.Outcome o = w.build(job("c", "gcc", List.of(), files(
        "main.c", "int helper(void);\nint main(void){ return helper() + undeclared_thing; }\n",
        "helper.c", "int helper(void){ return 1; }\n",
        "broken.c", "int broken(void){ return }\n")), 60_000);
    assertEquals(RunStatus.COMPILE_ERROR, o.complete().status());
    String out = o.compile().output();
    assertTrue(out.contains("main.c:2:") && out.contains("undeclared_thing"), out);
    assertTrue(out.contains("broken.c:1:") && out.contains("error:"), out);
    assertFalse(out.contains("make:"), "make's own lines: " + out);
    assertFalse(out.contains("/tmp/"), "internal paths: " + out);
    assertFalse(out.contains("not remade"), out);
    assertTrue(o.compile().diagnostics().stream().anyMatch(d -> "main.c".equals(d.file()) && d.message().contains("undeclared_thing")));
    // a link error (no unit failed): the linker's message stays, make's trailer goes
    BuildWorker.Outcome link = w.build(job("c", "gcc", List.of(), files(
        "main.c", "int missing(void);\nint main(void){ return missing(); }\n", "other.c", "int other(void){ return 2; }\n")), 60_000);
    assertEquals(RunStatus.COMPILE_ERROR, link.complete().status());
    String lo = link.compile().output();
    assertTrue(lo.contains("undefined reference") && lo.contains("missing"), lo);
    assertFalse(lo.contains("make:") || lo.contains("/tmp/Gm"), lo);
  }

  @Test
  void makeTrailersAreDroppedLineByLineAndOtherLinesKept() {
    String in = "a.c:1:19: error: 'x' undeclared\nmake: *** [/tmp/Gmh8BQDt:6: /tmp/sandpit-obj/0-a.o] Error 1\n"
        + "make[2]: *** Waiting for unfinished jobs....\nmake: Target 'all' not remade because of errors.\nmake my day\nlast";
    assertEquals("a.c:1:19: error: 'x' undeclared\nmake my day\nlast", Compiler.withoutMakeTrailers(in));
  }
}
