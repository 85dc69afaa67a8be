package dev.sandpit.build.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.Diagnostic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parser against output captured from the real compilers by the test itself. */
class DiagnosticParserTest {
  @TempDir Path dir;

  String compile(Map<String, String> env, String file, String source, String... argv) throws Exception {
    Files.writeString(dir.resolve(file), source);
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(argv))).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return out;
  }

  static Diagnostic first(List<Diagnostic> ds, String severity) {
    return ds.stream().filter(d -> d.severity().equals(severity)).findFirst().orElseThrow(() -> new AssertionError("no " + severity + " in " + ds));
  }

  @Test
  void gccErrorsWarningsAndNotesKeepFileLineColumn() throws Exception {
    String out = compile(Map.of(), "main.c", "#include <stdio.h>\nint main(void) {\n  int unused;\n  printf(\"%d\\n\", y);\n}\n",
        "/usr/bin/gcc", "-Wall", "-fdiagnostics-color=never", "-c", "main.c");
    List<Diagnostic> ds = DiagnosticParser.parse(out);
    Diagnostic err = first(ds, "error");
    assertEquals("main.c", err.file());
    assertEquals(4, err.line());
    assertEquals(18, err.column());
    assertTrue(err.message().contains("undeclared") && err.message().contains("y"), err.message());
    Diagnostic warn = first(ds, "warning");
    assertEquals(3, warn.line());
    assertTrue(warn.message().contains("unused"), warn.message());
    assertTrue(ds.stream().anyMatch(d -> d.severity().equals("note")), out);
  }

  @Test
  void clangOutputParsesTheSameWay() throws Exception {
    String out = compile(Map.of(), "main.cpp", "int main() {\n  return undefined_thing;\n}\n",
        "/usr/bin/clang++", "-fno-color-diagnostics", "-c", "main.cpp");
    Diagnostic err = first(DiagnosticParser.parse(out), "error");
    assertEquals("main.cpp", err.file());
    assertEquals(2, err.line());
    assertEquals(10, err.column());
  }

  @Test
  void goReportsWithoutSeverityAsErrors() throws Exception {
    String out = compile(Map.of("HOME", dir.toString(), "GOCACHE", dir.resolve("c").toString(), "GO111MODULE", "off"),
        "main.go", "package main\nfunc main() {\n\tx := 1\n}\n", "/usr/bin/go", "build", "-o", "main", "main.go");
    Diagnostic err = first(DiagnosticParser.parse(out), "error");
    assertEquals("main.go", err.file());
    assertEquals(3, err.line());
    assertTrue(err.message().contains("declared") && err.message().contains("x"), err.message());
  }

  @Test
  void javacErrorsHaveLinesWithoutColumns() throws Exception {
    String out = compile(Map.of(), "Main.java", "public class Main {\n  public static void main(String[] a) {\n    int x = \"s\";\n  }\n}\n",
        "/usr/bin/javac", "-d", ".", "Main.java");
    Diagnostic err = first(DiagnosticParser.parse(out), "error");
    assertEquals("Main.java", err.file());
    assertEquals(3, err.line());
    assertTrue(err.message().contains("incompatible types"), err.message());
  }

  @Test
  void rustcErrorsTakeTheirLocationFromTheArrowLine() throws Exception {
    String out = compile(Map.of(), "main.rs", "fn main() {\n    let a: i32 = \"x\";\n}\n", "/usr/bin/rustc", "--color", "never", "main.rs");
    Diagnostic err = first(DiagnosticParser.parse(out), "error");
    assertEquals("main.rs", err.file());
    assertEquals(2, err.line());
    assertTrue(err.message().contains("mismatched types"), err.message());
  }

  @Test
  void linkerErrorsAreKeptAsRawOutputWithoutFakeLocations() throws Exception {
    String out = compile(Map.of(), "main.c", "void missing(void);\nint main(void) { missing(); }\n", "/usr/bin/gcc", "-o", "main", "main.c");
    assertTrue(out.contains("undefined reference"), out);
    List<Diagnostic> ds = DiagnosticParser.parse(out);
    // no fake locations: the linker knows no line here, so the diagnostic has none (it names the source file)
    for (Diagnostic d : ds) assertTrue(d.line() == null || d.line() > 0, d.toString());
    Diagnostic undefined = ds.stream().filter(d -> d.message().contains("undefined reference")).findFirst().orElseThrow();
    assertEquals("error", undefined.severity());
    assertEquals(null, undefined.line());
  }
}
