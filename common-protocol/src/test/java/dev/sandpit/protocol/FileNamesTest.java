package dev.sandpit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileNamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"main.py", "src/util.h", "a/b/c.txt", "Main.java", "dir.with.dots/x"})
  void relativeNamesInsideTheWorkspaceAreAccepted(String name) {
    assertEquals(name, FileNames.validate(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "nul\0byte", "line\nbreak",
      "back\\slash", "-rf", "dir/-flag"})
  void namesThatLeaveTheWorkspaceOrCouldBeAbusedAreRefused(String name) {
    assertEquals(ErrorCode.INVALID_FIELD, assertThrows(ProtocolException.class, () -> FileNames.validate(name)).code());
  }

  @org.junit.jupiter.api.Test
  void overlongNamesAreRefused() {
    assertThrows(ProtocolException.class, () -> FileNames.validate("a".repeat(256)));
  }
}
