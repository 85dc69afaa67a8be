package dev.sandpit.build.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.Diagnostic;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Inputs the compilers rarely print but a build can: huge lines, escapes, floods, make and CMake. */
class DiagnosticParserRobustnessTest {
  @Test
  void linesWithThousandsOfColonsOrEscapesDoNotCostAStackFrameEach() throws Exception {
    String cxx = "x.cpp:1:2: error: no match for " + "std::a".repeat(10_000) + "\n";
    String fixit = "fix-it:\"x.cpp\":{1:2-1:3}:\"" + "\\\"".repeat(20_000) + "\"\n";
    String section = "a.c:(" + "a::".repeat(20_000) + ")\n";
    String[] result = new String[1];
    // a thread with a small stack, as the parser gets on a busy worker
    Thread t = new Thread(null, () -> {
      List<Diagnostic> ds = DiagnosticParser.parse(cxx + fixit + section);
      result[0] = ds.get(0).file() + ":" + ds.get(0).line() + " " + ds.get(0).fixits().get(0).replacement().length();
    }, "small-stack", 256 * 1024);
    t.start();
    t.join();
    assertEquals("x.cpp:1 20000", result[0]);
  }

  @Test
  void overlongLinesAreLeftInTheOutputAndTheRestIsParsed() {
    String huge = "main.c:1:1: error: " + "x".repeat(DiagnosticParser.MAX_LINE) + "\n";
    List<Diagnostic> ds = DiagnosticParser.parse(huge + "main.c:2:3: warning: ok\n");
    assertEquals(1, ds.size());
    assertEquals(2, ds.get(0).line());
  }

  @Test
  void floodsAreCapped() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 5000; i++) sb.append("main.c:").append(i).append(":1: error: e").append(i).append('\n');
    assertEquals(DiagnosticParser.MAX_DIAGNOSTICS, DiagnosticParser.parse(sb.toString()).size());
    StringBuilder notes = new StringBuilder("main.c:1:1: error: e\n");
    for (int i = 0; i < 500; i++) notes.append("main.c:1:1: note: n").append(i).append('\n');
    assertEquals(DiagnosticParser.MAX_NOTES, DiagnosticParser.parse(notes.toString()).get(0).notes().size());
  }

  @Test
  void fixItStringsAreUnescapedIncludingUtf8Octets() {
    Diagnostic d = DiagnosticParser.parse("main.c:1:5: error: x\nfix-it:\"main.c\":{1:5-1:6}:\"\\303\\251\\\"\\\\\\n\"\n").get(0);
    assertEquals("é\"\\\n", d.fixits().get(0).replacement());
  }

  @Test
  void makeAndCmakeMessages() {
    List<Diagnostic> ds = DiagnosticParser.parse("""
        Makefile:3: *** missing separator.  Stop.
        make: *** No rule to make target 'nope.c', needed by 'main'.  Stop.
        gmake[2]: *** [CMakeFiles/x.dir/build.make:76: CMakeFiles/x.dir/a.c.o] Error 1
        make: *** [-:5: /tmp/sandpit-obj/0-main.o] Error 1
        CMake Error at CMakeLists.txt:3 (add_executable):
          Cannot find source file:

            nope.c

        -- Configuring incomplete, errors occurred!
        CMake Warning (dev) in CMakeLists.txt:
          No project() command is present.
        This warning is for project developers.
        """);
    assertEquals("error Makefile:3 missing separator.  Stop.", line(ds.get(0)));
    assertEquals("error null:null No rule to make target 'nope.c', needed by 'main'.  Stop.", line(ds.get(1)));
    assertEquals("error CMakeLists.txt:3 Cannot find source file: nope.c", line(ds.get(2)));
    assertEquals("warning CMakeLists.txt:null No project() command is present.", line(ds.get(3)));
    assertEquals(4, ds.size(), "make's own summaries (Error 1) are not diagnostics: " + ds);
  }

  @Test
  void pathsAreShownAsTheWorkspaceNamesThem() {
    assertEquals("src/a.c", DiagnosticParser.path("/work/src/a.c"));
    assertEquals("src/a.c", DiagnosticParser.path("./src/a.c"));
    assertEquals("src/a.c", DiagnosticParser.path("/home/sandbox/src/a.c"));
    assertEquals("/usr/include/c++/12/bits/stl_vector.h",
        DiagnosticParser.path("/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/stl_vector.h"));
    assertNull(DiagnosticParser.parse("ld: warning: creating DT_TEXTREL in a PIE\n").get(0).file());
  }

  static String line(Diagnostic d) {
    return d.severity() + " " + d.file() + ":" + d.line() + " " + d.message();
  }
}
