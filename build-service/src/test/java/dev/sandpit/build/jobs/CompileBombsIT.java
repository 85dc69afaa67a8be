package dev.sandpit.build.jobs;

import static dev.sandpit.build.jobs.BuildSandbox.files;
import static dev.sandpit.build.jobs.BuildSandbox.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.RunStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compile-time bombs against the real build sandbox: each ends in one of the compile's limits
 * (memory, wall/CPU time, output cap, workspace and /tmp size caps) within the compile's time, is
 * reported as compile_error or timeout, and leaves the slot usable: after every bomb the same
 * (single) slot builds an ordinary program.
 */
@Timeout(300)
class CompileBombsIT {
  static final long WALL_MS = 8_000;
  static final long MEMORY_MB = 384;
  static BuildSandbox box;
  static Compiler compiler;

  @BeforeAll
  static void up() throws Exception {
    // one slot, so every test reuses the slot the bomb before it used; 16 MB workspace and /tmp
    box = new BuildSandbox(64000, 1, 200, 16);
    compiler = box.compiler(WALL_MS, MEMORY_MB, 2);
  }

  @AfterAll
  static void down() {
    box.close();
  }

  /** Build the bomb; check how it ended, that it ended in time, and how the job would end (null: compile_error or timeout). */
  static CompileResult bomb(JobSpec spec, Set<RunStatus> allowed, RunStatus jobStatus) throws Exception {
    CompileResult r = build(spec, allowed);
    RunStatus job = BuildVerticle.completeStatus(r.run().status());
    if (jobStatus != null) assertEquals(jobStatus, job);
    else assertTrue(job == RunStatus.COMPILE_ERROR || job == RunStatus.TIMEOUT, job.toString());
    assertTrue(r.artifacts().isEmpty());
    return r;
  }

  /** Build; check how it ended and that it ended within the compile's time. */
  static CompileResult build(JobSpec spec, Set<RunStatus> allowed) throws Exception {
    long t0 = System.nanoTime();
    CompileResult r = compiler.compile(spec, Languages.find(spec.language()));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    String out = r.output();
    System.out.println(spec.files().get(0).name() + " -> " + r.run() + " in " + ms + " ms; output " + out.length() + " chars: "
        + (out.length() > 600 ? out.substring(0, 600) : out));
    assertTrue(allowed.contains(r.run().status()), "status " + r.run() + "\n" + (out.length() > 2000 ? out.substring(0, 2000) : out));
    assertTrue(ms < WALL_MS + 5_000, "the build ended within its wall time (+ teardown): " + ms + " ms");
    return r;
  }

  @AfterEach
  void theSlotStillBuilds() throws Exception {
    CompileResult r = compiler.compile(job("c", null, List.of(), files("main.c", "int main(void){ return 0; }\n")), Languages.find("c"));
    assertEquals(RunStatus.OK, r.run().status(), r.output());
    assertEquals(Set.of("main"), r.artifacts().keySet());
  }

  static Map<String, String> c(String source) {
    return files("main.c", source);
  }

  @Test
  void includingDevZeroRunsIntoTheMemoryLimit() throws Exception {
    CompileResult r = bomb(job("c", "gcc", List.of(), c("#include \"/dev/zero\"\nint main(void){ return 0; }\n")),
        Set.of(RunStatus.MEMORY_LIMIT), RunStatus.COMPILE_ERROR);
    assertTrue(r.run().message().contains("memory limit"), r.run().message());
    // clang includes a character device as an empty file: no bomb, a program
    build(job("c", "clang", List.of(), c("#include \"/dev/zero\"\nint main(void){ return 0; }\n")), Set.of(RunStatus.OK));
  }

  @Test
  void includingDevRandomAndUrandomEndsInALimit() throws Exception {
    for (String dev : List.of("/dev/random", "/dev/urandom")) {
      bomb(job("c", "gcc", List.of(), c("#include \"" + dev + "\"\nint main(void){ return 0; }\n")),
          Set.of(RunStatus.MEMORY_LIMIT, RunStatus.RUNTIME_ERROR, RunStatus.OUTPUT_LIMIT), RunStatus.COMPILE_ERROR);
    }
  }

  @Test
  void includingProcSelfFilesEndsOrTimesOutNeverHangs() throws Exception {
    // /proc files say they are empty (gcc reads st_size bytes): empty includes, a program
    for (String p : List.of("/proc/self/mem", "/proc/self/environ", "/proc/self/maps")) {
      build(job("c", "gcc", List.of(), c("#include \"" + p + "\"\nint main(void){ return 0; }\n")), Set.of(RunStatus.OK));
    }
    // the compile's stdin and stdout are the worker's pipes: the sandbox's uid may not open them again
    for (String p : List.of("/dev/stdin", "/proc/self/fd/0", "/proc/self/fd/1", "/dev/stderr")) {
      CompileResult r = bomb(job("c", "gcc", List.of(), c("#include \"" + p + "\"\nint main(void){ return 0; }\n")),
          Set.of(RunStatus.RUNTIME_ERROR), RunStatus.COMPILE_ERROR);
      assertTrue(r.output().contains("Permission denied"), r.output());
    }
  }

  @Test
  void templateRecursionBombsEndInTheDepthLimitOrTimeOrMemory() throws Exception {
    // unbounded recursion: the compiler's depth limit (900) stops it
    bomb(job("cpp", "g++", List.of(), files("main.cpp", "template <int N> struct R { static const int v = R<N + 1>::v; };\n"
        + "int main() { return R<0>::v; }\n")), Set.of(RunStatus.RUNTIME_ERROR), RunStatus.COMPILE_ERROR);
    // every level instantiates two new ones: 2^40 distinct instantiations, far below the depth limit
    String doubling = "template <int N, unsigned long M> struct F {\n"
        + "  static const unsigned long v = F<N - 1, 2 * M>::v + F<N - 1, 2 * M + 1>::v; };\n"
        + "template <unsigned long M> struct F<0, M> { static const unsigned long v = M; };\n"
        + "int main() { return (int) F<40, 1>::v; }\n";
    for (String cxx : List.of("g++", "clang++")) {
      bomb(job("cpp", cxx, List.of(), files("main.cpp", doubling)), Set.of(RunStatus.TIMEOUT, RunStatus.MEMORY_LIMIT), null);
    }
  }

  @Test
  void preprocessorExpansionBombsEndInALimit() throws Exception {
    StringBuilder src = new StringBuilder("#define A0 +1 +1 +1 +1 +1 +1 +1 +1 +1 +1\n");
    for (int i = 1; i <= 10; i++) {
      src.append("#define A").append(i).append(' ').append(("A" + (i - 1) + " ").repeat(10)).append('\n');
    }
    src.append("int main(void){ return 0 A10; }\n"); // 10^11 tokens
    bomb(job("c", "gcc", List.of(), c(src.toString())), Set.of(RunStatus.TIMEOUT, RunStatus.MEMORY_LIMIT), null);
  }

  @Test
  void preprocessorOutputOfGigabytesHitsTheOutputCapOrTheWorkspaceCap() throws Exception {
    // headers that include the one below 16 times, 7 levels deep: 16^6 * 4 KB = 68 GB of text. cc1 -E grows
    // its line maps with every #include and ignores write errors, so after any cap it still runs into memory
    Map<String, String> fs = files("main.c", "int main(void){ return 0; }\n");
    fs.put("b0.h", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".repeat(64));
    for (int i = 1; i <= 6; i++) fs.put("b" + i + ".h", ("#include \"b" + (i - 1) + ".h\"\n").repeat(16));
    // a Makefile project may run the preprocessor itself: to stdout (the compile's output cap) ...
    Map<String, String> toStdout = new java.util.LinkedHashMap<>(fs);
    toStdout.put("Makefile", "main: main.c\n\tcpp -P b6.h\n\t$(CC) -o main main.c\n");
    // (make's --output-sync buffers a recipe's output in /tmp, capped like the workspace)
    // (or, on a machine where cc1's memory grows slowly, the wall limit comes first: stopped all the same)
    bomb(job("c", null, List.of(), toStdout), Set.of(RunStatus.OUTPUT_LIMIT, RunStatus.MEMORY_LIMIT, RunStatus.TIMEOUT), null);
    // ... or into a file (the workspace's size cap: "No space left on device")
    Map<String, String> toFile = new java.util.LinkedHashMap<>(fs);
    toFile.put("Makefile", "main: main.c\n\tcpp -P b6.h > bomb.i\n\t$(CC) -o main main.c\n");
    bomb(job("c", null, List.of(), toFile), Set.of(RunStatus.RUNTIME_ERROR, RunStatus.MEMORY_LIMIT, RunStatus.TIMEOUT), null);
    // a plain writer stops at the cap with ENOSPC
    Map<String, String> dd = files("main.c", "int main(void){ return 0; }\n",
        "Makefile", "main: main.c\n\thead -c 200000000 /dev/zero > fill.bin\n\t$(CC) -o main main.c\n");
    CompileResult r = bomb(job("c", null, List.of(), dd), Set.of(RunStatus.RUNTIME_ERROR), RunStatus.COMPILE_ERROR);
    assertTrue(r.output().contains("No space left on device"), r.output());
  }

  @Test
  void hugeStaticArraysFailToBuildWithinTheCaps() throws Exception {
    // initialised: the object file would hold 1 GB; /tmp (16 MB here) fills first
    bomb(job("c", "gcc", List.of("-O0"), c("static char big[1 << 30] = {1};\nint main(void){ return big[5]; }\n")),
        Set.of(RunStatus.RUNTIME_ERROR), RunStatus.COMPILE_ERROR);
    bomb(job("cpp", "clang++", List.of("-O0"), files("main.cpp", "static char big[1 << 30] = {1};\nint main(){ return big[5]; }\n")),
        Set.of(RunStatus.RUNTIME_ERROR), RunStatus.COMPILE_ERROR);
    // larger than an object may be: the compiler refuses it
    CompileResult r = bomb(job("c", "gcc", List.of(), c("static char big[1ull << 63];\nint main(void){ return big[5]; }\n")),
        Set.of(RunStatus.RUNTIME_ERROR), RunStatus.COMPILE_ERROR);
    assertTrue(r.output().contains("too large"), r.output());
    // uninitialised, huge but valid (4 GB of .bss): the file stays small, so it builds, in no time
    build(job("c", "gcc", List.of(), c("static char big[1ull << 32];\nint main(void){ return big[5]; }\n")), Set.of(RunStatus.OK));
  }

  @Test
  void aFloodOfDiagnosticsIsCutAtTheOutputCap() throws Exception {
    StringBuilder src = new StringBuilder("int main(void){\n");
    for (int i = 0; i < 40_000; i++) src.append("  undeclared_").append(i).append(" = 1;\n");
    src.append("}\n");
    bomb(job("c", "gcc", List.of(), c(src.toString())), Set.of(RunStatus.OUTPUT_LIMIT), RunStatus.COMPILE_ERROR);
  }

  /**
   * Issue 12, for the build worker: a Makefile whose recipe leaves a tree deeper than PATH_MAX, odd
   * names, modes of 000, special files or a daemon holding a file (the executor's hostile
   * leftovers.py, run by make) breaks neither the slot nor the next compile: the next project in the
   * same (single) slot sees only its own files, and builds.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"deep", "deep_wide", "odd_names", "chmod_root", "chmod_nested",
      "chattr", "fifo_socket", "fd_daemon"})
  void aMakefileThatLeavesATrapBehindBreaksNeitherTheSlotNorTheNextCompile(String attack) throws Exception {
    String hostile = java.nio.file.Files.readString(java.nio.file.Path.of("../worker-lib/src/test/resources/hostile/leftovers.py"));
    Map<String, String> fs = files("main.c", "int main(void){ return 0; }\n", "leftovers.py", hostile);
    fs.put("Makefile", "main: main.c\n\tpython3 leftovers.py " + attack + "\n\t$(CC) -o main main.c\n");
    // (a workspace of mode 000 fails its own compile: the attacker's business)
    CompileResult r = build(job("c", null, List.of(), fs), Set.of(RunStatus.OK, RunStatus.RUNTIME_ERROR));
    assertTrue(r.output().contains("left " + attack), r.output());
    long quarantinesBefore = box.slots.quarantines();
    for (int round = 0; round < 2; round++) {
      Map<String, String> victim = files("main.c", "int main(void){ return 0; }\n");
      victim.put("Makefile", "main: main.c\n\t@echo \"seen: $$(ls -A | tr '\\n' ' ')\"\n"
          + "\t@test ! -e /tmp/left.txt && test ! -e /dev/shm/left.txt && echo 'tmp: clean'\n\t$(CC) -o main main.c\n");
      CompileResult v = build(job("c", null, List.of(), victim), Set.of(RunStatus.OK));
      assertTrue(v.output().contains("seen: Makefile main.c \n"), v.output());
      assertTrue(v.output().contains("tmp: clean"), v.output());
      assertEquals(Set.of("main"), v.artifacts().keySet());
    }
    assertEquals(quarantinesBefore, box.slots.quarantines(), "a reset alone made the slot fit again");
    assertEquals(1, box.slots.size());
  }
}
