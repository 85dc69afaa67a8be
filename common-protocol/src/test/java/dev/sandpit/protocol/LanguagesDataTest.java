package dev.sandpit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What languages.json must say about every language, and the rules the modules read from it. */
class LanguagesDataTest {
  @Test
  void everyLanguageNamesItsMainFileSourceExtensionsAndRunAndEveryCompiledOneItsBuild() {
    assertFalse(Languages.all().isEmpty());
    for (Language l : Languages.all()) {
      assertNotNull(l.main(), l.id() + ": main");
      assertTrue(l.sourceExtensions() != null && !l.sourceExtensions().isEmpty(), l.id() + ": sourceExtensions");
      assertTrue(l.sourceExtensions().stream().anyMatch(l.main()::endsWith), l.id() + ": the main file is a source file");
      assertTrue(l.run() != null && !l.run().isEmpty(), l.id() + ": run");
      assertTrue(l.version() != null && !l.version().isEmpty(), l.id() + ": version");
      if (l.compiled()) {
        assertTrue(l.artifacts() != null && !l.artifacts().isEmpty(), l.id() + ": artifacts");
        assertTrue(l.runtimeCheck() == null || !l.runtimeCheck().isEmpty(), l.id() + ": runtimeCheck");
      } else {
        assertNull(l.runArgs(), l.id() + ": only a build decides run arguments");
      }
      // a language that compiles units one by one links them, and the other way round
      assertEquals(l.compileObject() == null, l.link() == null, l.id() + ": compileObject and link");
      if (l.compileObject() != null) assertTrue(l.compiled(), l.id() + ": compileObject without compile");
      if (l.compilers() != null && !l.compilers().isEmpty()) {
        assertNotNull(l.standards(), l.id() + ": a language with a choice of compilers takes -std= flags");
        assertNotNull(l.projectEnv(), l.id() + ": projectEnv");
      }
    }
  }

  @Test
  void javaCodeOnItsOwnIsNamedAfterItsPublicClassAndOtherCodeAfterTheConvention() {
    Language java = Languages.find("java");
    assertEquals("Foo.java", java.mainName("public final class Foo { public static void main(String[] a) {} }"));
    assertEquals("Bar.java", java.mainName("import java.util.*;\npublic abstract  class Bar {}"));
    assertEquals("Main.java", java.mainName("class X {}"));
    assertEquals("main.py", Languages.find("python").mainName("public class Foo"));
  }

  @Test
  void aJavaFileIsAnEntryPointWhenItHasAMainMethodAndAnyFileOfOtherLanguagesIs() {
    Language java = Languages.find("java");
    assertTrue(java.hasEntry("class A { public static void main (String[] args) {} }"));
    assertFalse(java.hasEntry("class Util { static int twice(int x) { return 2 * x; } }"));
    assertTrue(Languages.find("python").hasEntry("def f(): pass"));
  }

  @Test
  void javaRunArgumentsAreTheMainClassFromTheMainFileAndOtherLanguagesHaveNone() {
    Language java = Languages.find("java");
    assertEquals(List.of("Hello"), java.runArgs("Hello.java"));
    assertEquals(List.of("Hello"), java.runArgs("src/app/Hello.java"));
    assertEquals(List.of("Hello.txt"), java.runArgs("Hello.txt"));
    assertNull(Languages.find("c").runArgs("main.c"));
    assertNull(Languages.find("go").runArgs("main.go"));
  }

  @Test
  void projectBuildsPutTheClientFlagsInTheLanguagesOwnFlagsVariable() {
    assertEquals(Map.of("CFLAGS", "{flags}", "CXXFLAGS", "{own_flags}"), Languages.find("c").projectEnv());
    assertEquals(Map.of("CFLAGS", "{own_flags}", "CXXFLAGS", "{flags}"), Languages.find("cpp").projectEnv());
  }

  @Test
  void eachCFamilyLanguageAcceptsItsOwnStandardsOnly() {
    assertNull(CompilerFlags.refusal(Languages.find("c"), "-std=gnu17"));
    assertNull(CompilerFlags.refusal(Languages.find("cpp"), "-std=c++20"));
    assertEquals("not a C standard (-std=c11, -std=gnu17, -std=c2x …)", CompilerFlags.refusal(Languages.find("c"), "-std=c++20"));
    assertEquals("not a C++ standard (-std=c++17, -std=gnu++20, -std=c++23 …)", CompilerFlags.refusal(Languages.find("cpp"), "-std=c17"));
  }
}
