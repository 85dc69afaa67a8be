package dev.sandpit.gateway.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.SourceFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which of a session's files a run without {@code main} starts (languages.json main and entryPattern). */
class SessionRunsMainOfTest {
  @Test
  void theConventionalMainFileWinsWhenThere() {
    assertEquals("main.py", SessionRuns.mainOf(Languages.find("python"),
        List.of(new SourceFile("a.py", "x"), new SourceFile("main.py", "y"))));
  }

  @Test
  void elseJavaPicksTheFirstFileWithAMainMethod() {
    assertEquals("app/Hello.java", SessionRuns.mainOf(Languages.find("java"), List.of(
        new SourceFile("app/Util.java", "class Util { static int f() { return 1; } }"),
        new SourceFile("app/Hello.java", "class Hello { public static void main(String[] a) {} }"))));
  }

  @Test
  void elseOtherLanguagesPickTheirFirstFileAndNoneGivesTheConventionalName() {
    assertEquals("b.py", SessionRuns.mainOf(Languages.find("python"), List.of(new SourceFile("notes.txt", ""), new SourceFile("b.py", ""))));
    assertEquals("Main.java", SessionRuns.mainOf(Languages.find("java"), List.of(new SourceFile("Util.java", "class Util {}"))));
  }
}
