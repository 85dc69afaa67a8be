package dev.sandpit.worker.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.worker.process.RunResult;
import dev.sandpit.worker.process.RunSpec;
import dev.sandpit.worker.sandbox.RunRecorder.Event;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.RunStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Programs that talk to the user through stdin, in every language, in both backends: the prompt
 * arrives before its input request, each blocked read is requested exactly once, computing is not
 * mistaken for waiting, and the answers reach the program. The programs are files under
 * {@code src/test/resources/interactive/}; compiled languages are built on the host and copied in.
 */
class SandboxInteractiveIT {
  private static final Map<String, SandboxHarness> HARNESSES = new HashMap<>();
  private static final Map<String, Integer> UID_BASE = Map.of("bwrap", 62300, "firejail", 62400, "bwrap-sh", 62600);
  private static final Map<String, Program> PROGRAMS = new ConcurrentHashMap<>();
  private static final String PYTHON = "/usr/bin/python3";
  /** What every dialogue prints when answered 21, 5, 7. */
  private static final String DIALOGUE_STDOUT = "ready\nNumber? Double: 42\nA? B? Sum: 12\n";
  /** Its input requests' prompts. */
  private static final List<String> DIALOGUE_PROMPTS = List.of("Number? ", "A? ", "B? ");

  private static synchronized SandboxHarness harness(String backend) throws Exception {
    SandboxHarness h = HARNESSES.get(backend);
    if (h == null) {
      h = new SandboxHarness(backend, 2, UID_BASE.get(backend));
      HARNESSES.put(backend, h);
    }
    return h;
  }

  @AfterAll
  static void closeHarnesses() {
    HARNESSES.values().forEach(SandboxHarness::close);
  }

  /** Files to put in the workspace (name -> bytes, executable when the name has no dot), argv, env. */
  private record Program(Map<String, byte[]> files, List<String> argv, Map<String, String> env) {
    Program(Map<String, byte[]> files, List<String> argv) {
      this(files, argv, Map.of());
    }
  }

  private static byte[] text(String resource) {
    return SandboxHarness.resource("interactive/" + resource).getBytes(StandardCharsets.UTF_8);
  }

  private static String source(String resource) {
    return SandboxHarness.resource("interactive/" + resource);
  }

  /** The run environment the product gives a language (languages.json): C/C++ get stdbuf there. */
  private static Map<String, String> productEnv(String languageId) {
    Map<String, String> env = Languages.find(languageId).env();
    return env == null ? Map.of() : env;
  }

  private static Program program(String language) {
    return PROGRAMS.computeIfAbsent(language, l -> {
      try {
        return switch (l) {
          case "python" -> new Program(Map.of("main.py", text("dialogue.py")), List.of(PYTHON, "main.py"));
          case "node-readline" -> new Program(Map.of("main.js", text("dialogue_readline.js")), List.of("/usr/bin/node", "main.js"));
          case "node-data" -> new Program(Map.of("main.js", text("dialogue_data.js")), List.of("/usr/bin/node", "main.js"));
          case "c-scanf" -> new Program(Map.of("main", Compilers.gcc(source("dialogue_scanf.c"))), List.of("./main"), productEnv("c"));
          case "c-fgets" -> new Program(Map.of("main", Compilers.gcc(source("dialogue_fgets.c"))), List.of("./main"), productEnv("c"));
          case "cpp" -> new Program(Map.of("main", Compilers.gxx(source("dialogue.cpp"))), List.of("./main"), productEnv("cpp"));
          case "rust" -> new Program(Map.of("main", Compilers.rustc(source("dialogue.rs"))), List.of("./main"));
          case "go-scan" -> new Program(Map.of("main", Compilers.go(source("dialogue_scan.go"))), List.of("./main"));
          case "go-scanner" -> new Program(Map.of("main", Compilers.go(source("dialogue_scanner.go"))), List.of("./main"));
          case "java" -> new Program(Map.of("Dialogue.class", Compilers.javac("Dialogue", source("Dialogue.java"))),
              List.of("/usr/bin/java", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", ".", "Dialogue"));
          case "bash-printf" -> new Program(Map.of("main.sh", text("dialogue_printf.sh")), List.of("/bin/bash", "main.sh"));
          case "bash-read-p" -> new Program(Map.of("main.sh", text("dialogue_read_p.sh")), List.of("/bin/bash", "main.sh"));
          default -> throw new IllegalArgumentException(l);
        };
      } catch (Exception e) {
        throw new AssertionError("cannot build the " + l + " program", e);
      }
    });
  }

  private static RunSpec interactive(List<String> argv, String stdin) {
    return interactive(argv, Map.of(), stdin);
  }

  private static RunSpec interactive(List<String> argv, Map<String, String> env, String stdin) {
    return new RunSpec(argv, env, stdin, 60_000, 0, 256L << 20, 1 << 20, true);
  }

  private static RunSpec interactive(Program p, String stdin) {
    return interactive(p.argv(), p.env(), stdin);
  }

  private final List<SandboxHarness.Running> started = new ArrayList<>();

  /** Put the program in a fresh slot and start it; the slot is recycled when the run completes. */
  private SandboxHarness.Running start(SandboxHarness h, Program p, RunSpec spec) throws Exception {
    Slot slot = h.take();
    for (var f : p.files().entrySet()) slot.workspace().write(f.getKey(), f.getValue(), !f.getKey().contains("."));
    SandboxHarness.Running r = h.startIn(slot, spec);
    r.rec().result.whenComplete((res, e) -> h.recycle(slot));
    started.add(r);
    return r;
  }

  /** A failed test leaves its run waiting for answers: end it so its slot serves the next test. */
  @AfterEach
  void endUnfinishedRuns() throws Exception {
    for (SandboxHarness.Running r : started) {
      if (!r.rec().result.isDone()) {
        r.run().discard();
        r.rec().awaitResult(10_000);
      }
    }
  }

  private SandboxHarness.Running start(SandboxHarness h, String file, String code, RunSpec spec) throws Exception {
    return start(h, new Program(Map.of(file, code.getBytes(StandardCharsets.UTF_8)), spec.argv()), spec);
  }

  /** Both streams as received before the {@code index}th input request (0-based). */
  private static String outputBeforeRequest(List<Event> events, int index) {
    return output(events, -1, index);
  }

  /** Both streams as received between input requests {@code from} and {@code to} (-1: the start). */
  private static String output(List<Event> events, int from, int to) {
    StringBuilder sb = new StringBuilder();
    int seen = -1;
    for (Event e : events) {
      if (e.kind().equals("input_request")) {
        if (++seen == to) return sb.toString();
      } else if (e.kind().equals("output") && seen >= from) {
        sb.append(e.text());
      }
    }
    throw new AssertionError("no input request #" + to + " in " + events);
  }

  /**
   * The request's prompt arrived before it and is the trailing unterminated line, counting from
   * the previous answer (the test answers right after each request, and an answer ends the line
   * as a terminal's echo would).
   */
  private static void assertRequestFollowsItsPrompt(RunRecorder rec, int index, String prompt) {
    List<Event> events = rec.events();
    String sinceAnswer = output(events, index - 1, index);
    String requested = rec.prompts().get(index);
    assertTrue(sinceAnswer.endsWith(prompt), "request #" + index + " came before its prompt '" + prompt + "': " + events);
    assertEquals(sinceAnswer.substring(sinceAnswer.lastIndexOf('\n') + 1), requested, "prompt of request #" + index + " " + events);
    assertEquals(prompt, requested);
  }

  static Stream<Arguments> dialogues() {
    List<String> languages = List.of("python", "node-readline", "node-data", "c-scanf", "c-fgets", "cpp", "rust",
        "go-scan", "go-scanner", "java", "bash-printf");
    return Stream.of("bwrap", "firejail").flatMap(b -> languages.stream().map(l -> Arguments.of(b, l)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("dialogues")
  void promptArrivesBeforeOneInputRequestPerBlockedReadAndTheAnswersAreUsed(String backend, String language)
      throws Exception {
    Program p = program(language);
    var r = start(harness(backend), p, interactive(p, null));
    RunRecorder rec = r.rec();

    rec.awaitInputRequests(1, 60_000);
    assertRequestFollowsItsPrompt(rec, 0, "Number? ");
    // a second of computing came first: had it been taken for waiting, there would be a request
    // before "ready" (whose prompt would not be "Number? ")
    assertTrue(outputBeforeRequest(rec.events(), 0).startsWith("ready\n"), rec.events().toString());
    assertEquals(1, rec.inputRequests());

    r.run().write("21\n");
    rec.awaitInputRequests(2, 20_000);
    assertRequestFollowsItsPrompt(rec, 1, "A? ");
    assertTrue(outputBeforeRequest(rec.events(), 1).endsWith("Double: 42\nA? "), rec.events().toString());

    // asked twice in a row right after an answer: one request each
    r.run().write("5\n");
    rec.awaitInputRequests(3, 20_000);
    assertRequestFollowsItsPrompt(rec, 2, "B? ");

    r.run().write("7\n");
    List<String> prompts = DIALOGUE_PROMPTS;
    if (language.equals("node-readline")) {
      // Node documents it: with stdin as a readline's input the program does not end before EOF,
      // rl.close() or not (a terminal's stdin is unref'd, a pipe's is not). It is really reading
      // stdin again, so that is one more request; end of file ends it.
      rec.awaitInputRequests(4, 20_000);
      assertEquals(DIALOGUE_STDOUT, rec.stdout());
      r.run().closeStdin();
      prompts = List.of("Number? ", "A? ", "B? ", "");
    }
    RunResult res = rec.awaitResult(20_000);
    assertEquals(RunStatus.OK, res.status(), rec.events().toString());
    assertEquals(DIALOGUE_STDOUT, rec.stdout());
    assertEquals(prompts, rec.prompts());
  }

  /**
   * Bash prints the prompt of {@code read -p} only when stdin is a terminal, and a sandbox's stdin
   * is a pipe: the reads are still requested once each, with an empty prompt.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void bashReadPromptIsNotPrintedOnAPipeButEachReadIsStillRequestedOnce(String backend) throws Exception {
    Program p = program("bash-read-p");
    var r = start(harness(backend), p, interactive(p, null));
    RunRecorder rec = r.rec();

    rec.awaitInputRequests(1, 60_000);
    assertEquals("ready\n", outputBeforeRequest(rec.events(), 0));
    r.run().write("21\n");
    rec.awaitInputRequests(2, 20_000);
    assertEquals("ready\nDouble: 42\n", outputBeforeRequest(rec.events(), 1));
    r.run().write("5\n");
    rec.awaitInputRequests(3, 20_000);
    r.run().write("7\n");
    RunResult res = rec.awaitResult(20_000);

    assertEquals(RunStatus.OK, res.status());
    assertEquals("ready\nDouble: 42\nSum: 12\n", rec.stdout());
    assertEquals("", rec.stderr());
    assertEquals(List.of("", "", ""), rec.prompts());
  }

  /**
   * Why languages.json preloads stdbuf for C and C++: without it stdout on a pipe is fully
   * buffered, so the prompts (and all other output) arrive only when the program exits, and every
   * input request has an empty prompt.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void cPromptWithoutStdbufStaysInTheStdioBufferUntilExit(String backend) throws Exception {
    Program plain = new Program(program("c-scanf").files(), List.of("./main"), Map.of());
    var r = start(harness(backend), plain, interactive(plain, null));
    RunRecorder rec = r.rec();

    rec.awaitInputRequests(1, 60_000);
    assertEquals("", outputBeforeRequest(rec.events(), 0));
    r.run().write("21\n");
    rec.awaitInputRequests(2, 20_000);
    r.run().write("5\n");
    rec.awaitInputRequests(3, 20_000);
    r.run().write("7\n");
    RunResult res = rec.awaitResult(20_000);

    assertEquals(RunStatus.OK, res.status());
    assertEquals(List.of("", "", ""), rec.prompts());
    assertEquals(DIALOGUE_STDOUT, rec.stdout());
  }

  static Stream<Arguments> upFront() {
    return Stream.of("bwrap", "firejail").flatMap(b -> Stream.of("python", "c-scanf", "node-data").map(l -> Arguments.of(b, l)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("upFront")
  void stdinSuppliedUpFrontIsConsumedWithoutInputRequests(String backend, String language) throws Exception {
    Program p = program(language);
    var r = start(harness(backend), p, interactive(p, "21\n5\n7\n"));
    RunResult res = r.rec().awaitResult(60_000);

    assertEquals(RunStatus.OK, res.status(), r.rec().events().toString());
    assertEquals(DIALOGUE_STDOUT, r.rec().stdout());
    assertEquals(List.of(), r.rec().prompts());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void largeStdinSuppliedUpFrontIsNeverTakenForWaiting(String backend) throws Exception {
    // more than a pipe holds: the program drains the pipe faster than it is refilled, so its
    // reads block now and then while the rest of the input is still on its way
    String code = "import os\nn = 0\nwhile True:\n    b = os.read(0, 1 << 16)\n    if not b:\n        break\n"
        + "    n += len(b)\nprint(n)\n";
    String input = "x".repeat(999) + "\n";
    String stdin = input.repeat(16 * 1024);
    var r = start(harness(backend), "main.py", code, interactive(List.of(PYTHON, "main.py"), stdin));
    RunResult res = r.rec().awaitResult(60_000);

    assertEquals(RunStatus.OK, res.status());
    assertEquals(stdin.length() + "\n", r.rec().stdout());
    assertEquals(List.of(), r.rec().prompts());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void closeStdinGivesTheProgramEndOfFile(String backend) throws Exception {
    String code = "import sys\ndata = sys.stdin.read()\nprint(len(data.split()), 'words')\n";
    var r = start(harness(backend), "main.py", code, interactive(List.of(PYTHON, "main.py"), null));
    RunRecorder rec = r.rec();

    rec.awaitInputRequests(1, 20_000);
    r.run().write("one two\nthree\n");
    // read() wants more until end of file: the next blocked read is a new request
    rec.awaitInputRequests(2, 20_000);
    r.run().closeStdin();
    RunResult res = rec.awaitResult(20_000);

    assertEquals(RunStatus.OK, res.status());
    assertEquals("3 words\n", rec.stdout());
    assertEquals(2, rec.inputRequests());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void closeStdinGivesACProgramEndOfFile(String backend) throws Exception {
    String c = "#include <stdio.h>\nint main(void) { long n = 0; int ch; printf(\"type: \");\n"
        + "  while ((ch = getchar()) != EOF) n++;\n  printf(\"%ld bytes\\n\", n); return 0; }\n";
    Program p = new Program(Map.of("main", Compilers.gcc(c)), List.of("./main"), productEnv("c"));
    var r = start(harness(backend), p, interactive(p, null));
    RunRecorder rec = r.rec();

    rec.awaitInputRequests(1, 20_000);
    assertRequestFollowsItsPrompt(rec, 0, "type: ");
    r.run().write("12345\n");
    rec.awaitInputRequests(2, 20_000);
    r.run().closeStdin();
    RunResult res = rec.awaitResult(20_000);

    assertEquals(RunStatus.OK, res.status());
    assertEquals("type: 6 bytes\n", rec.stdout());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void stopEndsAProgramStuckInALoopWithStatusStopped(String backend) throws Exception {
    String code = "print('looping', flush=True)\nwhile True:\n    pass\n";
    var r = start(harness(backend), "main.py", code, interactive(List.of(PYTHON, "main.py"), null));
    r.rec().awaitOutput("looping", 20_000);
    long t0 = System.nanoTime();
    r.run().stop();
    RunResult res = r.rec().awaitResult(10_000);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertEquals(RunStatus.STOPPED, res.status());
    assertEquals("SIGINT", res.signal(), res.toString());
    assertTrue(ms < 2000, "stopped after " + ms + " ms, beyond the 2000 ms grace period");
    assertEquals(List.of(), r.rec().prompts());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void stopKillsAProgramThatIgnoresSigintWhenTheGracePeriodEnds(String backend) throws Exception {
    String code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('looping', flush=True)\n"
        + "while True:\n    pass\n";
    var r = start(harness(backend), "main.py", code, interactive(List.of(PYTHON, "main.py"), null));
    r.rec().awaitOutput("looping", 20_000);
    long t0 = System.nanoTime();
    r.run().stop();
    RunResult res = r.rec().awaitResult(10_000);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertEquals(RunStatus.STOPPED, res.status());
    assertTrue(res.message().contains("killed after 2000 ms"), res.message());
    assertTrue(ms >= 2000 && ms < 3000, "killed after " + ms + " ms");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void stopEndsAProgramWaitingForInput(String backend) throws Exception {
    String code = "name = input('Name? ')\nprint('never', name)\n";
    var r = start(harness(backend), "main.py", code, interactive(List.of(PYTHON, "main.py"), null));
    r.rec().awaitInputRequests(1, 20_000);
    r.run().stop();
    RunResult res = r.rec().awaitResult(5_000);

    assertEquals(RunStatus.STOPPED, res.status());
    assertEquals(List.of("Name? "), r.rec().prompts());
    assertTrue(r.rec().stderr().contains("KeyboardInterrupt"), r.rec().stderr());
  }
}
