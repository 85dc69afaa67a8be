package dev.sandpit.worker.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing and re-reading of {@link KernFile} on ordinary files (the kernel files: {@code CGroupIT}). */
class KernFileTest {
  @TempDir Path dir;

  @Test
  void rereadingThroughTheSameDescriptorSeesNewContent() throws Exception {
    Path p = dir.resolve("usage");
    Files.writeString(p, "42\n");
    try (KernFile f = new KernFile(p)) {
      assertEquals(42, f.readLong());
      Files.writeString(p, "1234567890123\n");
      assertEquals(1234567890123L, f.readLong());
      Files.writeString(p, "7");
      assertEquals(7, f.readLong(), "no trailing newline");
    }
  }

  @Test
  void idListsParseEveryLineAndGrowPastTheirFirstBuffer() throws Exception {
    Path p = dir.resolve("tasks");
    StringBuilder sb = new StringBuilder();
    long[] expected = new long[2000]; // more ids than the first array, more bytes than the first buffer
    for (int i = 0; i < expected.length; i++) {
      expected[i] = 100_000 + i;
      sb.append(expected[i]).append('\n');
    }
    Files.writeString(p, sb);
    try (KernFile f = new KernFile(p, true)) {
      assertArrayEquals(expected, f.readIds());
      assertEquals(100_000, f.readLong(), "the first number");
      Files.writeString(p, "");
      assertArrayEquals(new long[0], f.readIds());
      assertEquals(-1, f.readLong(), "an empty file has no number");
    }
  }

  @Test
  void aMissingFileReadsAsNothing() {
    try (KernFile f = new KernFile(dir.resolve("gone"))) {
      assertEquals(-1, f.readLong());
      assertArrayEquals(new long[0], f.readIds());
      assertNull(f.readAscii());
    }
  }
}
