package dev.sandpit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The optional fields C/C++ builds added to the protocol: present when given, absent (and compatible) otherwise. */
class BuildProtocolTest {
  @Test
  void executeCarriesTheCompilerAndTheOldConstructorsLeaveItOut() {
    ClientMessage.Execute e = (ClientMessage.Execute) Codec.decodeClient(
        "{\"type\":\"execute\",\"language\":\"cpp\",\"code\":\"int main(){}\",\"compiler\":\"clang++\",\"compiler_flags\":[\"-O2\"]}");
    assertEquals("clang++", e.compiler());
    assertNull(new ClientMessage.Execute("c", "x", null, null, null, null, null, "r").compiler());
    assertNull(new ClientMessage.Execute("c", "x", null, null, null, null, null, "r", "s", "main.c").compiler());
    assertEquals("{\"type\":\"execute\",\"language\":\"c\",\"code\":\"x\",\"request_id\":\"r\"}",
        Codec.encode(new ClientMessage.Execute("c", "x", null, null, null, null, null, "r")));
  }

  @Test
  void jobSpecsKeepTheCompilerThroughTheQueueAndTheHandOver() {
    JobSpec old = new JobSpec("j", "c", List.of(new SourceFile("main.c", "int main(){}")), null, null, Limits.NONE, List.of(),
        1, 2, null, null, false);
    assertNull(old.compiler());
    assertTrue(!Codec.toJson(old).contains("compiler\""), "absent, not null: " + Codec.toJson(old));
    JobSpec j = new JobSpec("j", "c", old.files(), null, null, Limits.NONE, List.of("-O2"), 1, 2, null, null, false, "clang");
    JobSpec back = Codec.fromJson(Codec.toJson(j), JobSpec.class);
    assertEquals(j, back);
    assertEquals("clang", back.withArtifact("abc", null).compiler());
    assertEquals("abc", back.withArtifact("abc", null).artifact());
    // a job queued by an older gateway (no compiler field) still reads
    assertNull(Codec.fromJson("{\"job_id\":\"j\",\"language\":\"c\",\"files\":[],\"enqueued_at_ms\":1,\"queue_deadline_ms\":2,"
        + "\"return_files\":false}", JobSpec.class).compiler());
  }

  @Test
  void diagnosticsEncodeTheNewFieldsOnlyWhenKnown() {
    assertEquals("{\"file\":\"main.c\",\"line\":3,\"column\":5,\"severity\":\"error\",\"message\":\"expected ';'\"}",
        Codec.toJson(new Diagnostic("main.c", 3, 5, "error", "expected ';'")));
    Diagnostic note = new Diagnostic("main.c", 1, null, "note", "included from here");
    Diagnostic full = new Diagnostic("a.h", 2, 7, 12, "warning", "unused variable 'x' [-Wunused-variable]", "-Wunused-variable",
        List.of(note), List.of(new Diagnostic.FixIt("a.h", 2, 7, 2, 12, "y")));
    String json = Codec.toJson(full);
    assertTrue(json.contains("\"end_column\":12") && json.contains("\"notes\":[") && json.contains("\"end_line\":2")
        && json.contains("\"replacement\":\"y\""), json);
    ServerEvent.Compile c = new ServerEvent.Compile(4L, "j", "error", List.of(full, note), "raw", false, 80L);
    assertEquals(c, Codec.decodeEvent(Codec.encode(c)));
    Diagnostic linker = new Diagnostic("main.c", null, null, "error", "undefined reference to `f'");
    assertEquals("{\"file\":\"main.c\",\"severity\":\"error\",\"message\":\"undefined reference to `f'\"}", Codec.toJson(linker));
  }

  @Test
  void languagesJsonIsReadWithItsOwnFieldNames() {
    Language c = Languages.find("c");
    assertEquals(java.util.Map.of("TMPDIR", "/tmp"), c.compileEnv());
    assertEquals(List.of(".c"), c.sourceExtensions());
    assertEquals(List.of("gcc", "clang"), c.compilers().stream().map(Language.CompilerVariant::id).toList());
    assertEquals(".sandpit-build", c.project(List.of(new SourceFile("CMakeLists.txt", ""))).outputDir());
    assertEquals("make", c.project(List.of(new SourceFile("main.c", ""), new SourceFile("Makefile", ""))).kind());
    assertNull(c.project(List.of(new SourceFile("src/Makefile", ""))), "only at the top of the workspace");
    assertEquals(List.of("/usr/bin/java", "-version"), Languages.find("java").runtimeCheck());
  }
}
