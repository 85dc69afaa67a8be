package dev.sandpit.build.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.SourceFile;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The build decisions read from languages.json: translation units, run arguments, a project's flag variables. */
class CompileCommandTest {
  static List<SourceFile> files(String... names) {
    return Arrays.stream(names).map(n -> new SourceFile(n, "")).toList();
  }

  @Test
  void theTranslationUnitsAreTheFilesWithTheLanguagesSourceExtensions() {
    assertEquals(List.of("main.cpp", "util.cc"), CompileCommand.sources(Languages.find("cpp"), files("main.cpp", "util.cc", "util.h")));
    assertEquals(List.of("main.go", "lib.go"), CompileCommand.sources(Languages.find("go"), files("main.go", "lib.go", "notes.txt")));
    assertEquals(List.of("Main.java", "pkg/Util.java"), CompileCommand.sources(Languages.find("java"), files("Main.java", "pkg/Util.java")));
    assertEquals(List.of("main.rs"), CompileCommand.sources(Languages.find("rust"), files("main.rs", "data.txt")));
    assertEquals(List.of("prog"), CompileCommand.sources(Languages.find("c"), files("prog", "util.h")), "the main file when none");
  }

  @Test
  void aJavaBuildRunsTheMainFilesClassAndOtherBuildsDecideNoRunArguments() {
    assertEquals(List.of("Hello"), CompileCommand.runArgs(Languages.find("java"), files("Hello.java", "Util.java")));
    assertEquals(List.of("Hello"), CompileCommand.runArgs(Languages.find("java"), files("src/Hello.java")));
    assertNull(CompileCommand.runArgs(Languages.find("c"), files("main.c")));
    assertNull(CompileCommand.runArgs(Languages.find("rust"), files("main.rs")));
  }

  @Test
  void aProjectBuildGetsTheClientFlagsInTheLanguagesOwnFlagsVariable() {
    for (String id : List.of("c", "cpp")) {
      Language lang = Languages.find(id);
      Language.CompilerVariant cc = lang.compiler(null);
      BuildPlan p = BuildPlan.of(lang, cc, files("Makefile", "main.c"), List.of("-O3", "-lm"), 2);
      String own = String.join(" ", cc.flags());
      String all = own + " -O3";
      assertEquals(BuildPlan.Kind.PROJECT, p.kind());
      assertEquals(id.equals("c") ? all : own, p.env().get("CFLAGS"), id);
      assertEquals(id.equals("c") ? own : all, p.env().get("CXXFLAGS"), id);
      assertEquals("-lm", p.env().get("LDLIBS"), id);
    }
  }
}
