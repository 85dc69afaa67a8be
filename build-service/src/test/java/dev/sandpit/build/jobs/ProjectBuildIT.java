package dev.sandpit.build.jobs;

import static dev.sandpit.build.jobs.BuildSandbox.files;
import static dev.sandpit.build.jobs.BuildSandbox.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.build.diagnostics.DiagnosticParser;
import dev.sandpit.build.toolchain.BuildPlan;
import dev.sandpit.worker.SanitizerRuntime;
import dev.sandpit.protocol.Diagnostic;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.RunStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Builds in the real sandbox, then runs what they built in a sandbox as an executor would: one
 * translation unit with each compiler, several units compiled in parallel and linked, CMake and
 * make projects (the program found by the documented rule), non-ASCII file names, and programs
 * built with sanitizers, whose runtimes must really report inside the sandbox.
 */
@Timeout(300)
class ProjectBuildIT {
  static BuildSandbox box;
  static Compiler compiler;
  static final Language C = Languages.find("c");
  static final Language CPP = Languages.find("cpp");

  @BeforeAll
  static void up() throws Exception {
    box = new BuildSandbox(64100, 2, 200, 64);
    compiler = box.compiler(60_000, 1024, 2);
  }

  @AfterAll
  static void down() {
    box.close();
  }

  static CompileResult build(JobSpec spec) throws Exception {
    Language lang = Languages.find(spec.language());
    CompileResult r = compiler.compile(spec, lang);
    System.out.println(spec.language() + "/" + spec.compiler() + " " + r.plan().kind() + " -> " + r.run() + " problem " + r.problem()
        + "\n" + r.output());
    return r;
  }

  static String ok(CompileResult r) {
    assertEquals(RunStatus.OK, r.run().status(), r.output());
    assertNull(r.problem(), r.output());
    return r.output();
  }

  static BuildSandbox.Ran run(CompileResult r, String lang) throws Exception {
    byte[] program = r.artifacts().get("main");
    assertNotNull(program, "artifacts " + r.artifacts().keySet());
    return box.run(program, Languages.find(lang).env(), SanitizerRuntime.checksLeaks(r.artifacts()), "");
  }

  static boolean builtBy(byte[] program, String marker) {
    return new String(program, StandardCharsets.ISO_8859_1).contains(marker);
  }

  @Test
  void oneUnitBuildsWithEitherCompilerAndTheProgramSaysWhichBuiltIt() throws Exception {
    String src = "#include <stdio.h>\nint main(void){\n#ifdef __clang__\n puts(\"clang\");\n#else\n puts(\"gcc\");\n#endif\n return 0; }\n";
    for (String cc : List.of("gcc", "clang")) {
      CompileResult r = build(job("c", cc, List.of("-Wall"), files("main.c", src)));
      ok(r);
      assertEquals(BuildPlan.Kind.SINGLE, r.plan().kind());
      assertEquals(cc + "\n", run(r, "c").stdout());
    }
    String cpp = "#include <iostream>\nint main(){ std::cout << (\n#ifdef __clang__\n\"clang++\"\n#else\n\"g++\"\n#endif\n) << std::endl; }\n";
    for (String cxx : List.of("g++", "clang++")) {
      CompileResult r = build(job("cpp", cxx, List.of("-std=c++20"), files("main.cpp", cpp)));
      ok(r);
      assertEquals(cxx + "\n", run(r, "cpp").stdout());
      assertEquals(cxx.startsWith("clang"), builtBy(r.artifacts().get("main"), "clang version"));
    }
  }

  static final String HEADER = "#pragma once\nint add(int a, int b);\nint mul(int a, int b);\nint sq(int a);\n";

  static Map<String, String> fourUnits(String lang) {
    String ext = lang.equals("c") ? ".c" : ".cpp";
    String io = lang.equals("c") ? "#include <stdio.h>\n" : "#include <cstdio>\n";
    return files(
        "main" + ext, io + "#include \"lib/ops.h\"\nint main(void){ printf(\"%d\\n\", add(mul(6, 7), sq(3))); return 0; }\n",
        "lib/ops.h", HEADER,
        "lib/add" + ext, "#include \"ops.h\"\nint add(int a, int b){ return a + b; }\n",
        "lib/mul" + ext, "#include \"ops.h\"\nint mul(int a, int b){ return a * b; }\n",
        "lib/sq" + ext, "#include \"ops.h\"\nint sq(int a){ return mul(a, a); }\n");
  }

  @Test
  void severalUnitsAreCompiledToObjectsInParallelThenLinked() throws Exception {
    for (String[] lc : new String[][] {{"c", "gcc"}, {"c", "clang"}, {"cpp", "g++"}, {"cpp", "clang++"}}) {
      CompileResult r = build(job(lc[0], lc[1], List.of("-O1", "-Wall"), fourUnits(lc[0])));
      ok(r);
      assertEquals(BuildPlan.Kind.UNITS, r.plan().kind());
      assertEquals(4, r.plan().units());
      assertEquals(2, r.plan().jobs());
      assertTrue(r.plan().argv().contains("-j2"), r.plan().argv().toString());
      assertEquals("51\n", run(r, lc[0]).stdout());
    }
  }

  @Test
  void everyUnitsErrorsAreReportedWhenSeveralFail() throws Exception {
    JobSpec spec = job("c", "gcc", List.of(), files(
        "main.c", "int f(void); int g(void);\nint main(void){ return f() + g(); }\n",
        "f.c", "int f(void){ return missing_f; }\n",
        "g.c", "int g(void){\n  return missing_g;\n}\n"));
    CompileResult r = build(spec);
    assertEquals(RunStatus.RUNTIME_ERROR, r.run().status());
    List<Diagnostic> ds = DiagnosticParser.parse(r.output(), BuildVerticle.texts(spec.files()));
    Diagnostic f = ds.stream().filter(d -> "f.c".equals(d.file()) && d.severity().equals("error")).findFirst().orElseThrow();
    Diagnostic g = ds.stream().filter(d -> "g.c".equals(d.file()) && d.severity().equals("error")).findFirst().orElseThrow();
    assertEquals(1, f.line());
    assertEquals(21, f.column());
    assertEquals(2, g.line());
    assertEquals(10, g.column());
    assertEquals(19, g.endColumn());
  }

  @Test
  void linkErrorsOfAMultiUnitBuildNameTheFunction() throws Exception {
    CompileResult r = build(job("cpp", "g++", List.of(), files(
        "main.cpp", "int helper();\nint main(){ return helper(); }\n",
        "other.cpp", "int unrelated(){ return 1; }\n")));
    assertEquals(RunStatus.RUNTIME_ERROR, r.run().status());
    Diagnostic undefined = DiagnosticParser.parse(r.output()).stream()
        .filter(d -> d.message().contains("undefined reference to `helper()'")).findFirst().orElseThrow(() -> new AssertionError(r.output()));
    assertEquals("main.cpp", undefined.file());
    assertNull(undefined.line());
    assertEquals("in function 'main'", undefined.notes().get(0).message());
  }

  @Test
  void nonAsciiFileNamesBuildAndTheirDiagnosticsKeepTheNames() throws Exception {
    Map<String, String> fs = files(
        "main.c", "#include \"dïr/ünï.h\"\nint main(void){ return ünï() - 7; }\n",
        "dïr/ünï.h", "int ünï(void);\n",
        "dïr/ünï.c", "#include \"ünï.h\"\nint ünï(void){ const char *s = \"日本\"; return s; }\n");
    for (String cc : List.of("gcc", "clang")) {
      JobSpec spec = job("c", cc, List.of(), fs);
      CompileResult r = build(spec);
      ok(r); // returning a pointer as an int: a warning (-Wint-conversion)
      List<Diagnostic> ds = DiagnosticParser.parse(r.output(), BuildVerticle.texts(spec.files()));
      Diagnostic d = ds.stream().filter(x -> "dïr/ünï.c".equals(x.file())).findFirst().orElseThrow(() -> new AssertionError(r.output()));
      assertEquals("warning", d.severity());
      assertEquals("-Wint-conversion", d.option());
      assertEquals(2, d.line());
      // in "int ünï(void){ const char *s = "日本"; return s; }" the s of 'return s' is character 45 (byte 51)
      assertEquals(45, d.column(), cc);
    }
  }

  static final String CMAKE = "cmake_minimum_required(VERSION 3.13)\nproject(demo CXX)\nset(CMAKE_CXX_STANDARD 17)\n"
      + "add_library(ops STATIC src/ops.cpp)\ntarget_include_directories(ops PUBLIC include)\n"
      + "add_executable(hello src/main.cpp)\ntarget_link_libraries(hello ops)\n";

  @Test
  void cmakeProjectsBuildWithTheChosenCompilerAndTheirProgramIsFound() throws Exception {
    Map<String, String> fs = files(
        "src/main.cpp", "#include <iostream>\n#include \"ops.h\"\nint main(){ std::cout << twice(21)\n#ifdef __clang__\n << \" clang\"\n#endif\n"
            + " << std::endl; }\n",
        "CMakeLists.txt", CMAKE,
        "include/ops.h", "int twice(int);\n",
        "src/ops.cpp", "#include \"ops.h\"\nint twice(int x){ return 2 * x; }\n");
    CompileResult r = build(job("cpp", null, List.of("-O2"), fs));
    String out = ok(r);
    assertEquals(BuildPlan.Kind.PROJECT, r.plan().kind());
    assertEquals("cmake", r.plan().project().kind());
    assertTrue(out.contains("[sandpit] running .sandpit-build/hello"), out);
    assertEquals("42\n", run(r, "cpp").stdout());
    CompileResult clang = build(job("cpp", "clang++", List.of(), fs));
    ok(clang);
    assertEquals("42 clang\n", run(clang, "cpp").stdout());
  }

  @Test
  void cmakeErrorsBecomeDiagnosticsAtTheirLine() throws Exception {
    CompileResult r = build(job("c", null, List.of(), files(
        "main.c", "int main(void){ return 0; }\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.13)\nproject(x C)\nadd_executable(x main.c nope.c)\n")));
    assertFalse(r.ok());
    Diagnostic d = DiagnosticParser.parse(r.output()).stream().filter(x -> "CMakeLists.txt".equals(x.file()))
        .findFirst().orElseThrow(() -> new AssertionError(r.output()));
    assertEquals("error", d.severity());
    assertEquals(3, d.line());
    assertTrue(d.message().contains("nope.c"), d.message());
  }

  @Test
  void compileErrorsInACmakeProjectPointAtTheWorkspaceFile() throws Exception {
    CompileResult r = build(job("cpp", null, List.of(), files(
        "src/main.cpp", "int main(){\n  return nope;\n}\n",
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.13)\nproject(x CXX)\nadd_executable(x src/main.cpp)\n")));
    assertFalse(r.ok());
    Diagnostic d = DiagnosticParser.parse(r.output()).stream().filter(x -> x.severity().equals("error") && x.line() != null)
        .findFirst().orElseThrow(() -> new AssertionError(r.output()));
    assertEquals("src/main.cpp", d.file()); // CMake compiles /work/src/main.cpp: shown relative
    assertEquals(2, d.line());
    assertEquals(10, d.column());
  }

  static final String MAKEFILE = "CFLAGS += -O2\nall: tool main\ntool: tool.o\n\t$(CC) $(CFLAGS) -o $@ $^\n"
      + "main: main.o util.o\n\t$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)\nclean:\n\trm -f *.o tool main\n";

  @Test
  void makefileProjectsBuildAndTheProgramNamedMainIsRun() throws Exception {
    Map<String, String> fs = files(
        "main.c", "#include <stdio.h>\nint util(void);\nint main(void){ printf(\"util=%d\\n\", util()); return 0; }\n",
        "Makefile", MAKEFILE,
        "util.c", "int util(void){ return 7; }\n",
        "tool.c", "int main(void){ return 3; }\n");
    CompileResult r = build(job("c", "clang", List.of("-DUNUSED=1"), fs));
    String out = ok(r);
    assertEquals("make", r.plan().project().kind());
    assertTrue(out.contains("/usr/bin/clang"), "CC is the chosen compiler: " + out);
    assertTrue(out.contains("[sandpit] running main (the build made several programs: tool"), out);
    assertEquals("util=7\n", run(r, "c").stdout());
  }

  @Test
  void aMakefileWithOneProgramOfAnyNameRunsIt() throws Exception {
    CompileResult r = build(job("cpp", null, List.of(), files(
        "app.cpp", "#include <cstdio>\nint main(){ std::puts(\"app\"); }\n",
        "Makefile", "bin/app: app.cpp\n\tmkdir -p bin && $(CXX) $(CXXFLAGS) -o $@ $<\n")));
    String out = ok(r);
    assertTrue(out.contains("[sandpit] running bin/app\n"), out);
    assertEquals("app\n", run(r, "cpp").stdout());
  }

  @Test
  void aMakefileThatBuildsNoProgramIsAClearProblem() throws Exception {
    CompileResult r = build(job("c", null, List.of(), files(
        "main.c", "int main(void){ return 0; }\n",
        "Makefile", "all:\n\t@echo nothing to build\n")));
    assertEquals(RunStatus.OK, r.run().status());
    assertTrue(r.problem().contains("made no program"), r.problem());
    CompileResult broken = build(job("c", null, List.of(), files("main.c", "int main(void){ return 0; }\n", "Makefile", "all:\n   echo spaces\n")));
    Diagnostic d = DiagnosticParser.parse(broken.output()).stream().filter(x -> "Makefile".equals(x.file())).findFirst()
        .orElseThrow(() -> new AssertionError(broken.output()));
    assertEquals(2, d.line());
    assertTrue(d.message().contains("missing separator"), d.message());
  }

  static final String ASAN = "#include <stdio.h>\n#include <stdlib.h>\nint main(int argc, char **argv){\n  int *a = malloc(4 * sizeof(int));\n"
      + "  printf(\"before \");\n  a[argc + 3] = 1;\n  printf(\"after\\n\");\n  free(a);\n  return 0;\n}\n";
  /** The allocation goes through a volatile pointer, so -O2 cannot remove it. */
  static final String LEAK = "#include <stdio.h>\n#include <stdlib.h>\nvoid *volatile keep;\nint main(void){\n  keep = malloc(77);\n"
      + "  keep = 0;\n  puts(\"done\");\n  return 0;\n}\n";
  static final String UB = "#include <stdio.h>\n#include <limits.h>\nint main(int argc, char **argv){\n  int x = INT_MAX;\n  x += argc;\n"
      + "  printf(\"%d\\n\", x);\n  return 0;\n}\n";

  @Test
  void addressSanitizerReportsInTheSandboxWithEitherCompiler() throws Exception {
    for (String cc : List.of("gcc", "clang")) {
      CompileResult r = build(job("c", cc, List.of("-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer"), files("main.c", ASAN)));
      ok(r);
      assertTrue(SanitizerRuntime.checksLeaks(r.artifacts()), "ASan includes the leak checker");
      BuildSandbox.Ran ran = run(r, "c");
      assertEquals(RunStatus.RUNTIME_ERROR, ran.result().status(), ran.stderr());
      assertEquals("before ", ran.stdout(), "stdout stays unbuffered with the sanitizer (libstdbuf still preloaded)");
      assertTrue(ran.stderr().contains("ERROR: AddressSanitizer: heap-buffer-overflow"), cc + ": " + ran.stderr());
      assertTrue(ran.stderr().contains("main.c:6"), "symbolised with the source line: " + ran.stderr());
    }
  }

  @Test
  void leakSanitizerReportsLeaksInAPtraceCapableSandbox() throws Exception {
    for (List<String> flags : List.of(List.of("-g", "-fsanitize=address"), List.of("-g", "-fsanitize=leak"))) {
      for (String cc : List.of("gcc", "clang")) {
        CompileResult r = build(job("c", cc, flags, files("main.c", LEAK)));
        ok(r);
        assertTrue(SanitizerRuntime.checksLeaks(r.artifacts()), cc + " " + flags);
        BuildSandbox.Ran ran = run(r, "c");
        assertEquals("done\n", ran.stdout());
        assertTrue(ran.stderr().contains("ERROR: LeakSanitizer: detected memory leaks"), cc + " " + flags + ": " + ran.stderr());
        assertTrue(ran.stderr().contains("77 byte(s) leaked"), ran.stderr());
        assertEquals(RunStatus.RUNTIME_ERROR, ran.result().status());
      }
    }
    // why the tracing sandbox: under the ordinary filter (no ptrace) LeakSanitizer cannot stop the threads
    CompileResult r = build(job("c", "gcc", List.of("-fsanitize=leak"), files("main.c", LEAK)));
    BuildSandbox.Ran plain = box.run(r.artifacts().get("main"), C.env(), false, "");
    assertTrue(plain.stderr().contains("LeakSanitizer has encountered a fatal error"), plain.stderr());
  }

  @Test
  void leakSanitizerAlsoReportsUnderFirejail() throws Exception {
    CompileResult r = build(job("cpp", "g++", List.of("-fsanitize=address"), files("main.cpp",
        "#include <cstdio>\nint *volatile keep;\nint main(){ keep = new int[5]; keep = nullptr; std::puts(\"bye\"); }\n")));
    ok(r);
    try (BuildSandbox firejail = new BuildSandbox("firejail", 64170, 1, 100, 16)) {
      BuildSandbox.Ran ran = firejail.run(r.artifacts().get("main"), CPP.env(), true, "");
      assertTrue(ran.stderr().contains("ERROR: LeakSanitizer: detected memory leaks"), ran.stderr());
      assertTrue(ran.stderr().contains("20 byte(s) leaked"), ran.stderr());
      BuildSandbox.Ran plain = firejail.run(r.artifacts().get("main"), CPP.env(), false, "");
      assertTrue(plain.stderr().contains("LeakSanitizer has encountered a fatal error"), plain.stderr());
    }
  }

  @Test
  void undefinedBehaviourSanitizerReportsAndNeedsNoTracing() throws Exception {
    for (String cc : List.of("gcc", "clang")) {
      CompileResult r = build(job("c", cc, List.of("-fsanitize=undefined"), files("main.c", UB)));
      ok(r);
      assertFalse(SanitizerRuntime.checksLeaks(r.artifacts()), "UBSan alone has no leak checker");
      BuildSandbox.Ran ran = run(r, "c");
      assertTrue(ran.stderr().contains("main.c:5:5: runtime error: signed integer overflow"), cc + ": " + ran.stderr());
      assertEquals("-2147483648\n", ran.stdout());
    }
    CompileResult plain = build(job("c", "gcc", List.of(), files("main.c", UB)));
    assertFalse(SanitizerRuntime.checksLeaks(plain.artifacts()));
  }
}
