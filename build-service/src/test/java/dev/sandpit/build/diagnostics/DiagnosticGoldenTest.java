package dev.sandpit.build.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.Diagnostic;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden tests of the parser: the test compiles each program with the real gcc 12 and clang 14,
 * with the flags the build worker gives them (languages.json), captures what they print, parses
 * it, and compares a rendering of every diagnostic (severity, file:line:column-end column, message,
 * option, fix-its, notes) with the expected one. The expectations were checked line by line
 * against the raw output; a compiler upgrade that changes its messages shows up here first.
 */
class DiagnosticGoldenTest {
  @TempDir Path dir;

  static final Language C = Languages.find("c");
  static final Language CPP = Languages.find("cpp");

  /** Compile {@code files} in a fresh directory with {@code compiler} of the language and its Sandpit flags. */
  String compile(Language lang, String compiler, Map<String, String> files, String... argv) throws Exception {
    for (var f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
    Language.CompilerVariant cv = lang.compiler(compiler);
    List<String> cmd = new ArrayList<>();
    cmd.add(cv.path());
    cmd.addAll(cv.flags());
    cmd.addAll(List.of(argv));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("LANG", "C.UTF-8"); // as in the sandbox: gcc quotes with ‘ ’
    pb.environment().remove("LC_ALL");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    // the objects and programs of one case must not leak into the next
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).filter(x -> !x.equals(dir)).forEach(x -> x.toFile().delete());
    }
    System.out.println("---- " + cmd + "\n" + out);
    return out;
  }

  static String render(List<Diagnostic> ds) {
    return ds.stream().map(DiagnosticGoldenTest::render).collect(Collectors.joining("\n"));
  }

  static String render(Diagnostic d) {
    StringBuilder sb = new StringBuilder();
    sb.append(d.severity()).append(' ').append(d.file() == null ? "-" : d.file());
    if (d.line() != null) sb.append(':').append(d.line());
    if (d.column() != null) sb.append(':').append(d.column());
    if (d.endColumn() != null) sb.append('-').append(d.endColumn());
    sb.append(' ').append(d.message());
    if (d.option() != null) sb.append(" {").append(d.option()).append('}');
    if (d.fixits() != null) {
      for (Diagnostic.FixIt f : d.fixits()) {
        sb.append(" [fix ").append(f.file()).append(':').append(f.line()).append(':').append(f.column()).append('-')
            .append(f.endLine()).append(':').append(f.endColumn()).append(" \"").append(f.replacement()).append("\"]");
      }
    }
    if (d.notes() != null) {
      sb.append(" (notes: ").append(d.notes().stream().map(n -> n.severity() + " " + n.file() + (n.line() == null ? "" : ":" + n.line())
          + (n.column() == null ? "" : ":" + n.column()) + " " + n.message()).collect(Collectors.joining("; "))).append(')');
    }
    return sb.toString();
  }

  /** Only the errors and warnings, with their notes (what an editor draws as markers). */
  static String primaries(List<Diagnostic> ds) {
    return render(ds.stream().filter(d -> !d.severity().equals("note")).toList());
  }

  static Map<String, String> files(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  static final Map<String, String> WARNINGS = files(
      "main.c", "#include <stdio.h>\nint main(void) {\n\tint unused = 1;\n  prinf(\"%d\\n\", 3);\n  char *s = \"é€\"; int x = s + 1;\n"
          + "  return 0\n}\n");

  @Test
  void warningsFixItsAndTabsAndUtf8ColumnsFromGcc() throws Exception {
    String out = compile(C, "gcc", WARNINGS, "-Wall", "-c", "main.c");
    assertEquals("""
        warning main.c:4:3-8 implicit declaration of function ‘prinf’; did you mean ‘printf’? [-Wimplicit-function-declaration] {-Wimplicit-function-declaration} [fix main.c:4:3-4:8 "printf"]
        warning main.c:5:27-28 initialization of ‘int’ from ‘char *’ makes integer from pointer without a cast [-Wint-conversion] {-Wint-conversion}
        error main.c:6:11-12 expected ‘;’ before ‘}’ token [fix main.c:6:11-6:11 ";"]
        warning main.c:5:23-24 unused variable ‘x’ [-Wunused-variable] {-Wunused-variable}
        warning main.c:3:6-12 unused variable ‘unused’ [-Wunused-variable] {-Wunused-variable}""",
        render(DiagnosticParser.parse(out, WARNINGS)));
    assertTrue(out.contains("fix-it:\"main.c\""), "the raw output has the machine-readable fix-its");
    assertTrue(!DiagnosticParser.humanOutput(out).contains("fix-it:"), "the output people read does not");
  }

  @Test
  void warningsFixItsAndUtf8ColumnsFromClang() throws Exception {
    String out = compile(C, "clang", WARNINGS, "-Wall", "-c", "main.c");
    assertEquals("""
        warning main.c:4:3-4 implicit declaration of function 'prinf' is invalid in C99 [-Wimplicit-function-declaration] {-Wimplicit-function-declaration}
        warning main.c:5:23-24 incompatible pointer to integer conversion initializing 'int' with an expression of type 'char *' [-Wint-conversion] {-Wint-conversion}
        error main.c:6:11-12 expected ';' after return statement [fix main.c:6:11-6:11 ";"]""",
        render(DiagnosticParser.parse(out, WARNINGS)));
  }

  static final Map<String, String> INCLUDES = files(
      "main.c", "#include \"inc/a.h\"\nint main(void) { return b_value(); }\n",
      "inc/a.h", "#include \"b.h\"\n",
      "inc/b.h", "int b_value(void) { return undefined_b; }\n");

  @Test
  void includeChainsBecomeNotesOfTheirError() throws Exception {
    String gcc = compile(C, "gcc", INCLUDES, "-c", "main.c");
    assertEquals("""
        error inc/b.h:1:28-39 ‘undefined_b’ undeclared (first use in this function) (notes: note inc/a.h:1 included from here; note main.c:1 included from here; note inc/b.h:1:28 each undeclared identifier is reported only once for each function it appears in)""",
        primaries(DiagnosticParser.parse(gcc, INCLUDES)));
    String clang = compile(C, "clang", INCLUDES, "-c", "main.c");
    assertEquals("""
        error inc/b.h:1:28-29 use of undeclared identifier 'undefined_b' (notes: note main.c:1 included from here; note inc/a.h:1 included from here)""",
        primaries(DiagnosticParser.parse(clang, INCLUDES)));
  }

  static final Map<String, String> TEMPLATES = files(
      "main.cpp", "#include \"box.h\"\ntemplate <class T> int use(const T& t) { return t.get(); }\nint main() {\n  Box<int> b{1};\n"
          + "  return use(b);\n}\n",
      "box.h", "template <class T> struct Box {\n  T v;\n  int get() const { return v.size(); }\n};\n");

  @Test
  void templateBacktracesBecomeNotesOfTheirError() throws Exception {
    String gcc = compile(CPP, "g++", TEMPLATES, "-c", "main.cpp");
    assertEquals("""
        error box.h:3:30-34 request for member ‘size’ in ‘((const Box<int>*)this)->Box<int>::v’, which is of non-class type ‘const int’ (notes: note main.cpp:1 included from here; note box.h In instantiation of ‘int Box<T>::get() const [with T = int]’; note main.cpp:2:54 required from ‘int use(const T&) [with T = Box<int>]’; note main.cpp:5:13 required from here)""",
        primaries(DiagnosticParser.parse(gcc, TEMPLATES)));
    String clang = compile(CPP, "clang++", TEMPLATES, "-c", "main.cpp");
    assertEquals("""
        error box.h:3:29-34 member reference base type 'const int' is not a structure or union (notes: note main.cpp:1 included from here; note main.cpp:2:51 in instantiation of member function 'Box<int>::get' requested here; note main.cpp:5:10 in instantiation of function template specialization 'use<Box<int>>' requested here)""",
        primaries(DiagnosticParser.parse(clang, TEMPLATES)));
  }

  static final Map<String, String> LINK = files(
      "main.c", "void missing(void);\nint twice = 1;\nint main(void) { missing(); return 0; }\n",
      "other.c", "int twice = 2;\n");

  @Test
  void linkerErrorsHaveNoFakeLocationAndNameTheirFunction() throws Exception {
    for (String cc : List.of("gcc", "clang")) {
      String out = compile(C, cc, LINK, "-o", "prog", "main.c", "other.c");
      List<Diagnostic> ds = DiagnosticParser.parse(out, LINK);
      String r = primaries(ds).replaceAll("/tmp/[^:]+\\.o", "OBJ");
      assertEquals("""
          error - multiple definition of `twice'; OBJ:(.data+0x0): first defined here
          error main.c undefined reference to `missing' (notes: note main.c in function 'main')""", r, cc);
    }
  }

  @Test
  void linkerErrorsOfProgramsWithDebugInformationHaveLines() throws Exception {
    String out = compile(C, "gcc", LINK, "-g", "-o", "prog", "main.c", "other.c");
    String r = primaries(DiagnosticParser.parse(out, LINK)).replaceAll("/tmp/[^:]+\\.o", "OBJ").replace(dir.toString() + "/", "");
    assertEquals("""
        error other.c:1 multiple definition of `twice'; OBJ:main.c:2: first defined here
        error main.c:3 undefined reference to `missing' (notes: note main.c:3 in function 'main')""", r);
    String lib = compile(C, "clang", LINK, "-o", "prog", "other.c", "-lnosuchlib");
    assertEquals("error - cannot find -lnosuchlib: No such file or directory", primaries(DiagnosticParser.parse(lib)));
  }

  static final Map<String, String> NON_ASCII = files(
      "dïr/ünï.c", "int f(void) { const char *s = \"日本語\"; return s; }\nint g(void) { return ünknöwn; }\n");

  /** Columns are UTF-16 units of the line: the s of 'return s' is column 45 (byte 51, after three 3-byte characters). */
  @Test
  void nonAsciiPathsAndSourcesKeepTheirNamesAndEditorColumns() throws Exception {
    String gcc = compile(C, "gcc", NON_ASCII, "-c", "dïr/ünï.c");
    assertEquals("""
        warning dïr/ünï.c:1:45-46 returning ‘const char *’ from a function with return type ‘int’ makes integer from pointer without a cast [-Wint-conversion] {-Wint-conversion}
        error dïr/ünï.c:2:22-29 ‘ünknöwn’ undeclared (first use in this function) (notes: note dïr/ünï.c:2:22 each undeclared identifier is reported only once for each function it appears in)""",
        primaries(DiagnosticParser.parse(gcc, NON_ASCII)));
    String clang = compile(C, "clang", NON_ASCII, "-c", "dïr/ünï.c");
    assertEquals("""
        warning dïr/ünï.c:1:45-46 incompatible pointer to integer conversion returning 'const char *' from a function with result type 'int' [-Wint-conversion] {-Wint-conversion}
        error dïr/ünï.c:2:22-23 use of undeclared identifier 'ünknöwn'""",
        primaries(DiagnosticParser.parse(clang, NON_ASCII)));
  }

  @Test
  void fatalErrorsAndDriverErrors() throws Exception {
    Map<String, String> missing = files("main.c", "#include \"nope.h\"\nint main(void) { return 0; }\n");
    assertEquals("error main.c:1:10-18 nope.h: No such file or directory",
        primaries(DiagnosticParser.parse(compile(C, "gcc", missing, "-c", "main.c"), missing)));
    assertEquals("error main.c:1:10-18 'nope.h' file not found",
        primaries(DiagnosticParser.parse(compile(C, "clang", missing, "-c", "main.c"), missing)));
    Map<String, String> ok = files("main.c", "int main(void) { return 0; }\n");
    assertEquals("error - unrecognized command-line option ‘-fnonsense’; did you mean ‘-fno-see’?",
        primaries(DiagnosticParser.parse(compile(C, "gcc", ok, "-fnonsense", "-c", "main.c"))));
    assertEquals("error - unknown argument: '-fnonsense'",
        primaries(DiagnosticParser.parse(compile(C, "clang", ok, "-fnonsense", "-c", "main.c"))));
  }
}
