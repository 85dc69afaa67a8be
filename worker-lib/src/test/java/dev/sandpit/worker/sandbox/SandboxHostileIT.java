package dev.sandpit.worker.sandbox;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandpit.worker.process.RunResult;
import dev.sandpit.worker.process.RunSpec;
import dev.sandpit.protocol.RunStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile programs against both sandbox backends. The programs are files under
 * {@code src/test/resources/hostile/}; each names its expected verdict in an {@code expect:} line.
 */
class SandboxHostileIT {
  private static final Map<String, SandboxHarness> HARNESSES = new HashMap<>();
  private static final Map<String, Integer> UID_BASE = Map.of("bwrap", 62100, "firejail", 62200, "bwrap-sh", 62500);
  private static final String PYTHON = "/usr/bin/python3";

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

  private static RunSpec spec(List<String> argv, long wallMs, long cpuMs, long memoryBytes, long outputBytes) {
    return new RunSpec(argv, Map.of(), null, wallMs, cpuMs, memoryBytes, outputBytes, false);
  }

  private static RunSpec spec(List<String> argv, long wallMs) {
    return spec(argv, wallMs, 0, 256L << 20, 1 << 20);
  }

  /** The statuses a hostile program's {@code expect:} line allows. */
  private static Set<RunStatus> expected(String program) {
    Matcher m = Pattern.compile("expect: *([a-z_|]+)").matcher(program);
    if (!m.find()) throw new AssertionError("hostile program without an expect: line");
    return Arrays.stream(m.group(1).split("\\|")).map(RunStatus::fromWire).collect(Collectors.toSet());
  }

  /** Put hostile/{@code name} in the slot under its own name and start it. */
  private static SandboxHarness.Running startHostile(SandboxHarness h, Slot slot, String name, RunSpec spec)
      throws IOException {
    slot.workspace().write(name, SandboxHarness.resource("hostile/" + name).getBytes(StandardCharsets.UTF_8), false);
    return h.startIn(slot, spec);
  }

  private static void assertVerdict(String name, RunResult res) {
    Set<RunStatus> want = expected(SandboxHarness.resource("hostile/" + name));
    assertTrue(want.contains(res.status()), name + ": expected one of " + want + " but got " + res);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void forkBombIsCappedByPidsLimitAndLeavesNoProcessBehind(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      long forkFailuresBefore = pidsMaxEvents(slot);
      var r = startHostile(h, slot, "fork_bomb.py", spec(List.of(PYTHON, "fork_bomb.py"), 3000));
      // while the run goes on, the bomb fills its pids limit, on the host's process table too
      int[] peak = {0};
      Poll.until("the bomb at its pids limit", () -> {
        peak[0] = Math.max(peak[0], HostProcesses.ofUid(slot.uid()).size());
        return pidsMaxEvents(slot) > forkFailuresBefore && peak[0] >= h.config.pidsMax() / 2;
      }, 10_000);
      assertTrue(r.run().alive());
      RunResult res = r.rec().awaitResult(15_000);

      assertVerdict("fork_bomb.py", res);
      assertEquals(0, slot.cgroup().procs().length, "processes left in the slot's cgroup");
      // the host's process count is back to normal: none of the bomb's processes (all of the
      // slot's uid) is left; the host-wide total is not compared, other work runs on this host
      assertEquals(List.of(), HostProcesses.liveOfUid(slot.uid()), "live processes of the slot uid (peak " + peak[0] + ")");
      assertEquals(List.of(), HostProcesses.awaitNoneOfUid(slot.uid(), 5000), "unreaped processes of the slot uid");
    } finally {
      h.recycle(slot);
    }
  }

  /** The pids controller's count of refused forks ("max N" in pids.events). */
  private static long pidsMaxEvents(Slot slot) {
    return slot.cgroup().pidsRefused();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void memoryBombEndsWithMemoryLimit(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      long limit = 96L << 20;
      var r = startHostile(h, slot, "memory_bomb.py", spec(List.of(PYTHON, "memory_bomb.py"), 20_000, 0, limit, 1 << 20));
      RunResult res = r.rec().awaitResult(30_000);

      assertVerdict("memory_bomb.py", res);
      assertEquals(RunStatus.MEMORY_LIMIT, res.status());
      assertEquals("SIGKILL", res.signal());
      assertTrue(res.memoryKb() > (limit / 1024) * 3 / 4 && res.memoryKb() <= limit / 1024 + 1024,
          "peak memory " + res.memoryKb() + " KB for a limit of " + limit / 1024 + " KB");
      assertTrue(res.message().contains("96 MB"), res.message());
      assertEquals(0, slot.cgroup().procs().length);
    } finally {
      h.recycle(slot);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void infiniteLoopTimesOutAtTheWallLimit(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      long t0 = System.nanoTime();
      var r = startHostile(h, slot, "infinite_loop.py", spec(List.of(PYTHON, "infinite_loop.py"), 1500));
      RunResult res = r.rec().awaitResult(10_000);
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

      assertVerdict("infinite_loop.py", res);
      assertTrue(res.message().contains("wall time limit of 1500 ms"), res.message());
      assertTrue(res.wallMs() >= 1500 && res.wallMs() <= 1500 + 500, "wall " + res.wallMs() + " ms");
      assertTrue(elapsedMs <= 1500 + 1000, "complete only after " + elapsedMs + " ms");
      assertEquals("SIGKILL", res.signal());
      assertEquals(0, slot.cgroup().procs().length);
    } finally {
      h.recycle(slot);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void infiniteLoopTimesOutAtTheCpuLimitBeforeTheWallLimit(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      var r = startHostile(h, slot, "infinite_loop.py",
          spec(List.of(PYTHON, "infinite_loop.py"), 20_000, 800, 256L << 20, 1 << 20));
      RunResult res = r.rec().awaitResult(10_000);

      assertEquals(RunStatus.TIMEOUT, res.status());
      assertTrue(res.message().contains("CPU time limit of 800 ms"), res.message());
      assertTrue(res.cpuMs() >= 800 && res.cpuMs() <= 800 + 300, "cpu " + res.cpuMs() + " ms");
    } finally {
      h.recycle(slot);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void sleepForeverTimesOutWithoutBurningCpu(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      // long enough that start-up is a small part of it: Python's start-up costs 30 ms of CPU
      // natively but 500-650 ms under the cgroup v2 VM test's emulated CPU
      long wallLimitMs = 3000;
      var r = startHostile(h, slot, "sleep_forever.py", spec(List.of(PYTHON, "sleep_forever.py"), wallLimitMs));
      RunResult res = r.rec().awaitResult(15_000);

      assertVerdict("sleep_forever.py", res);
      assertTrue(res.message().contains("wall time limit of " + wallLimitMs + " ms"), res.message());
      assertTrue(res.wallMs() >= wallLimitMs && res.wallMs() <= wallLimitMs + 500, "wall " + res.wallMs() + " ms");
      // a program that spins uses about all of its wall time; one that sleeps uses only its start-up
      assertTrue(res.cpuMs() < res.wallMs() / 2, "cpu " + res.cpuMs() + " ms of " + res.wallMs() + " ms wall while sleeping");
      assertEquals("sleeping\n", r.rec().stdout());
    } finally {
      h.recycle(slot);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void outputFloodIsCutAtTheCapWithAVisibleNotice(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      int cap = 64 * 1024;
      long t0 = System.nanoTime();
      var r = startHostile(h, slot, "output_flood.py", spec(List.of(PYTHON, "output_flood.py"), 10_000, 0, 256L << 20, cap));
      RunResult res = r.rec().awaitResult(15_000);
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

      assertVerdict("output_flood.py", res);
      assertTrue(res.truncated());
      String notice = "\n[output truncated: the limit of 64 KB was reached]\n";
      String stdout = r.rec().stdout();
      String stderr = r.rec().stderr();
      assertEquals(cap, stdout.length(), "stdout keeps exactly the cap");
      assertTrue(stdout.chars().allMatch(c -> c == 'A' || c == '\n'));
      assertEquals(notice, stderr);
      assertTrue(r.rec().output().length() <= cap + notice.length());
      assertTrue(elapsedMs < 2000, "an output flood must be cut at once; complete after " + elapsedMs + " ms");
    } finally {
      h.recycle(slot);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void networkIsUnreachableBothToTheHostAndToTheInternet(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"))) {
      int port = server.getLocalPort();
      var r = h.start(Map.of("network.py", SandboxHarness.resource("hostile/network.py")),
          spec(List.of(PYTHON, "network.py", Integer.toString(port)), 20_000));
      RunResult res = r.rec().awaitResult(30_000);
      String out = r.rec().stdout();

      assertVerdict("network.py", res);
      assertAll(
          () -> assertTrue(out.contains("tcp 127.0.0.1:" + port + " failed"), out),
          () -> assertTrue(out.contains("tcp 1.1.1.1:443 failed"), out),
          () -> assertTrue(out.contains("tcp 8.8.8.8:53 failed"), out),
          () -> assertTrue(out.contains("udp 8.8.8.8:53 failed"), out),
          () -> assertTrue(out.contains("dns failed"), out),
          () -> assertTrue(out.contains("interfaces lo\n"), out),
          () -> assertTrue(out.contains("if_nameindex lo\n"), out),
          () -> assertFalse(out.contains("CONNECTED") || out.contains("SENT") || out.contains("RESOLVED"), out));
      // a connection that got through would wait in the listener's backlog
      server.setSoTimeout(200);
      assertThrows(SocketTimeoutException.class, server::accept);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void anotherRunsFilesAndProcessesAreInvisible(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    String secret = "secret-" + UUID.randomUUID();
    Slot a = h.take();
    Slot b = h.take();
    try {
      var holder = startHostile(h, a, "secret_holder.py", spec(List.of(PYTHON, "secret_holder.py", secret), 30_000));
      holder.rec().awaitOutput("READY", 10_000);
      // the secret is really there to be found
      assertEquals(secret, Files.readString(a.dir().resolve("secret.txt")));

      var snoop = startHostile(h, b, "snoop.py", spec(List.of(PYTHON, "snoop.py", Integer.toString(a.uid()),
          h.workspaceRoot().toString(), a.dir().toString()), 20_000));
      RunResult res = snoop.rec().awaitResult(30_000);
      String out = snoop.rec().output();

      assertVerdict("snoop.py", res);
      assertTrue(out.contains("TRIED "), out);
      assertFalse(out.contains(secret), out);
      assertFalse(out.contains("secret.txt']"), "a listing showed run A's file: " + out);
      Matcher pids = Pattern.compile("PIDS (\\d+)").matcher(out);
      assertTrue(pids.find(), out);
      assertTrue(Integer.parseInt(pids.group(1)) <= 4, "run B sees " + pids.group(1) + " processes: " + out);
      assertTrue(holder.run().alive(), "run A must still be waiting");

      holder.run().stop();
      assertVerdict("secret_holder.py", holder.rec().awaitResult(10_000));
    } finally {
      h.recycle(a);
      h.recycle(b);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void hostSecretsEnvironmentAndPrivilegesAreOutOfReach(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      var r = startHostile(h, slot, "host_secrets.py", spec(List.of(PYTHON, "host_secrets.py"), 20_000));
      RunResult res = r.rec().awaitResult(30_000);
      assertVerdict("host_secrets.py", res);
      JsonNode j = new ObjectMapper().readTree(r.rec().stdout());
      String uid = Integer.toString(slot.uid());

      Map<String, String> env = new HashMap<>();
      j.get("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
      // what the sandbox sets, and what firejail adds of its own accord (nothing of the host)
      Set<String> allowed = Set.of("PATH", "HOME", "LANG", "USER", "LOGNAME", "TMPDIR", "PWD", "OLDPWD", "SHLVL", "_",
          "LC_CTYPE", "container", "FIREJAIL_QUIET", "QT_X11_NO_MITSHM", "SHELL", "PROMPT_COMMAND",
          "QML_DISABLE_DISK_CACHE", "KDE_FORK_SLAVES");
      List<String> hostPairs = new ArrayList<>();
      System.getenv().forEach((k, v) -> {
        if (!Set.of("PATH", "LANG", "SHLVL", "_", "PWD", "OLDPWD", "SHELL").contains(k) && v.equals(env.get(k))) {
          hostPairs.add(k + "=" + v);
        }
      });
      List<String> hostHome = Files.exists(Path.of("/home")) ? listNames(Path.of("/home")) : List.of();
      JsonNode home = j.get("home");
      List<String> sandboxHome = new ArrayList<>();
      if (home.has("ok")) home.get("ok").forEach(n -> sandboxHome.add(n.asText()));

      assertAll(
          () -> assertFalse(env.containsKey("PYTHONUNBUFFERED"), "PYTHONUNBUFFERED leaked: " + env),
          () -> assertEquals(backend.equals("firejail") ? FirejailSandbox.HOME : BwrapSandbox.HOME, env.get("HOME")),
          () -> assertEquals(h.workDir(), j.get("cwd").asText()),
          () -> assertEquals(new TreeSet<>(), new TreeSet<>(env.keySet().stream().filter(k -> !allowed.contains(k)).toList()),
              "unexpected environment variables: " + env),
          () -> assertEquals(List.of(), hostPairs, "host environment in the sandbox"),
          () -> assertEquals(List.of(uid, uid, uid, uid), texts(j.get("uid")), "uids"),
          () -> assertEquals(List.of(uid, uid, uid, uid), texts(j.get("gid")), "gids"),
          () -> assertEquals("0000000000000000", j.get("capEff").asText()),
          () -> assertEquals("0000000000000000", j.get("capPrm").asText()),
          () -> assertEquals("0000000000000000", j.get("capBnd").asText()),
          () -> assertEquals("0000000000000000", j.get("capInh").asText()),
          () -> assertEquals("0000000000000000", j.get("capAmb").asText()),
          () -> assertEquals(List.of(), texts(j.get("groups")), "supplementary groups"),
          () -> assertEquals("1", j.get("noNewPrivs").asText()),
          () -> assertTrue(j.get("root").has("error") || j.get("root").get("ok").isEmpty(), "/root: " + j.get("root")),
          () -> assertTrue(j.get("shadow").has("error"), "/etc/shadow: " + j.get("shadow")),
          () -> assertTrue(j.get("sshHostKeys").has("error") || j.get("sshHostKeys").get("ok").isEmpty(),
              "/etc/ssh: " + j.get("sshHostKeys")),
          () -> assertTrue(sandboxHome.stream().noneMatch(hostHome::contains), "host /home " + hostHome + " visible: " + home),
          () -> assertTrue(texts(j.get("processes")).stream().allMatch(c -> c.startsWith("/usr/bin/bwrap ")
              || c.startsWith("/usr/bin/firejail ") || c.startsWith("/bin/sh ") || c.startsWith(PYTHON + " ")),
              "processes other than the sandbox's own are visible: " + j.get("processes")),
          () -> assertTrue(j.get("processes").size() <= 4, "processes visible: " + j.get("processes")));
    } finally {
      h.recycle(slot);
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> listNames(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void daemonThatDoubleForksAndSetsidDoesNotOutliveTheRun(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      var r = startHostile(h, slot, "daemon.py", spec(List.of(PYTHON, "daemon.py"), 20_000));
      RunResult res = r.rec().awaitResult(30_000);

      assertVerdict("daemon.py", res);
      assertTrue(r.rec().stdout().matches("daemon \\d+ started\n"), r.rec().stdout());
      assertEquals(0, slot.cgroup().procs().length, "processes left in the slot's cgroup");
      assertEquals(List.of(), HostProcesses.liveOfUid(slot.uid()), "live processes of uid " + slot.uid() + " after the run");
      assertEquals(List.of(), HostProcesses.awaitNoneOfUid(slot.uid(), 5000), "unreaped processes of the slot uid");
    } finally {
      h.recycle(slot);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void plantedSymlinksDoNotLeadHostSideFileHandlingOutOfTheWorkspace(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Path canary = Files.createTempDirectory("sandpit-canary-");
    Files.writeString(canary.resolve("canary.txt"), "canary");
    String passwdHash = sha256(Path.of("/etc/passwd"));
    Slot slot = h.take();
    try {
      var r = startHostile(h, slot, "plant_symlinks.sh", spec(List.of("/bin/sh", "plant_symlinks.sh", canary.toString()), 10_000));
      RunResult res = r.rec().awaitResult(20_000);
      assertVerdict("plant_symlinks.sh", res);
      assertEquals("planted\n", r.rec().output());
      Workspace ws = slot.workspace();
      assertTrue(Files.isSymbolicLink(slot.dir().resolve("outside_link")), "the links are in place");

      byte[] evil = "evil".getBytes(StandardCharsets.UTF_8);
      assertAll(
          () -> assertThrows(IOException.class, () -> ws.write("passwd_link", evil, false)),
          () -> assertThrows(IOException.class, () -> ws.write("outside_link/evil.txt", evil, false)),
          () -> assertThrows(IOException.class, () -> ws.write("deep/er/outside_link/evil.txt", evil, false)),
          () -> assertThrows(IOException.class, () -> ws.write("root_link" + canary + "/evil.txt", evil, false)),
          () -> assertThrows(IOException.class, () -> ws.write("deep/er/up" + canary + "/evil.txt", evil, false)),
          () -> assertThrows(IOException.class, () -> ws.readRegular("passwd_link", 1 << 20)),
          () -> assertThrows(IOException.class, () -> ws.readRegular("outside_link/canary.txt", 1 << 20)),
          () -> assertThrows(IOException.class, () -> ws.readRegular("deep/etc_link/passwd", 1 << 20)),
          () -> assertEquals(List.of("plant_symlinks.sh"), ws.list("*")));

      assertNull(slot.reset(), "the slot's check after the run");

      assertEquals(List.of(), listNames(slot.dir()), "workspace after the reset");
      assertEquals(passwdHash, sha256(Path.of("/etc/passwd")), "/etc/passwd changed");
      assertEquals(List.of("canary.txt"), listNames(canary), "the outside directory changed");
      assertEquals("canary", Files.readString(canary.resolve("canary.txt")));
    } finally {
      h.recycle(slot);
      Files.deleteIfExists(canary.resolve("evil.txt"));
      Files.deleteIfExists(canary.resolve("canary.txt"));
      Files.deleteIfExists(canary);
    }
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> leftoverAttacks() {
    List<String> attacks = List.of("deep", "deep_wide", "odd_names", "chmod_root", "chmod_nested", "chattr", "fifo_socket", "fd_daemon");
    return Stream.of("bwrap", "firejail").flatMap(b -> attacks.stream().map(a -> org.junit.jupiter.params.provider.Arguments.of(b, a)));
  }

  /**
   * Issue 12: whatever a run leaves in its workspace (a tree deeper than PATH_MAX, odd names,
   * modes of 000, special files, a file held open by a daemon), the slot's reset and check pass,
   * and the next run in the same slot sees an empty workspace, /tmp and /dev/shm, and succeeds.
   */
  @ParameterizedTest(name = "{0} {1}")
  @org.junit.jupiter.params.provider.MethodSource("leftoverAttacks")
  void whatARunLeavesNeverReachesTheNextRunInItsSlot(String backend, String attack) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      var r = startHostile(h, slot, "leftovers.py", spec(List.of(PYTHON, "leftovers.py", attack), 20_000, 0, 256L << 20, 1 << 20));
      RunResult res = r.rec().awaitResult(30_000);
      assertVerdict("leftovers.py", res);
      assertEquals("left " + attack + "\n", r.rec().stdout(), r.rec().output());

      assertNull(slot.reset(), "the slot's check after the attack");

      for (int round = 0; round < 2; round++) { // the victim's own leftovers are gone for the next one too
        var v = startHostile(h, slot, "victim.py", spec(List.of(PYTHON, "victim.py"), 20_000));
        RunResult vres = v.rec().awaitResult(30_000);
        assertEquals(RunStatus.OK, vres.status(), v.rec().output());
        assertEquals("['victim.py']\n", v.rec().stdout(), "what the next run in the slot sees");
        assertNull(slot.reset(), "the slot's check after the victim");
      }
    } finally {
      h.recycle(slot);
    }
  }

  /**
   * Issue 11.2: a program starts with every signal at its default disposition and none blocked,
   * whatever the worker had (this JVM's children start with signals 32 and 33 ignored; a worker
   * started from bash's {@code &} ignores SIGINT and SIGQUIT too). The compiled helper resets all;
   * the shell launcher ({@code env --default-signal}) resets all that the C library lets it.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void aProgramStartsWithNoSignalIgnoredOrBlocked(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    Slot slot = h.take();
    try {
      var r = h.startIn(slot, spec(List.of("/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"), 10_000));
      assertEquals(RunStatus.OK, r.rec().awaitResult(20_000).status(), r.rec().output());
      Matcher blk = Pattern.compile("SigBlk:\\s*([0-9a-f]+)").matcher(r.rec().stdout());
      Matcher ign = Pattern.compile("SigIgn:\\s*([0-9a-f]+)").matcher(r.rec().stdout());
      assertTrue(blk.find() && ign.find(), r.rec().stdout());
      assertEquals(0L, Long.parseUnsignedLong(blk.group(1), 16), "blocked: " + r.rec().stdout());
      long ignored = Long.parseUnsignedLong(ign.group(1), 16);
      assertEquals(0L, ignored & 0x6L, "SIGINT or SIGQUIT ignored: " + r.rec().stdout());
      if (backend.equals("bwrap")) assertEquals(0L, ignored, "ignored: " + r.rec().stdout());
    } finally {
      h.recycle(slot);
    }
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void hugeFileStopsAtTheWorkspaceCapWithAnErrorAndSparesTheHostDisk(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    long capMb = h.config.workspaceMb();
    long hostFreeBefore = Files.getFileStore(Path.of("/")).getUsableSpace();
    long tmpFreeBefore = Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).getUsableSpace();
    Slot slot = h.take();
    try {
      var r = startHostile(h, slot, "huge_file.py", spec(List.of(PYTHON, "huge_file.py"), 30_000));
      RunResult res = r.rec().awaitResult(40_000);
      String out = r.rec().output();

      assertVerdict("huge_file.py", res);
      Matcher m = Pattern.compile("(\\S+) failed (ENOSPC|EFBIG|EDQUOT) after (\\d+) MB").matcher(out);
      List<String> failed = new ArrayList<>();
      while (m.find()) {
        failed.add(m.group(1));
        assertTrue(Long.parseLong(m.group(3)) <= capMb, "wrote " + m.group(3) + " MB of a " + capMb + " MB cap: " + out);
      }
      assertEquals(List.of("big.bin", "/tmp/big.bin"), failed, out);
      assertFalse(out.contains("WROTE_ALL"), out);
      long hostFreeAfter = Files.getFileStore(Path.of("/")).getUsableSpace();
      long tmpFreeAfter = Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).getUsableSpace();
      assertTrue(hostFreeBefore - hostFreeAfter < (capMb << 20), "host disk lost " + (hostFreeBefore - hostFreeAfter) + " bytes");
      assertTrue(tmpFreeBefore - tmpFreeAfter < (capMb << 20), "host /tmp lost " + (tmpFreeBefore - tmpFreeAfter) + " bytes");
      assertEquals("tmpfs", Files.getFileStore(slot.dir()).type(), "the workspace is its own capped tmpfs");
      assertTrue(Files.size(slot.dir().resolve("big.bin")) <= capMb << 20, "big.bin on the host");
    } finally {
      h.recycle(slot);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail", "bwrap-sh"})
  void escapeSyscallsAreRefusedWithEperm(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    var r = h.start(Map.of("seccomp_escape.py", SandboxHarness.resource("hostile/seccomp_escape.py")),
        spec(List.of(PYTHON, "seccomp_escape.py"), 20_000));
    RunResult res = r.rec().awaitResult(30_000);
    assertVerdict("seccomp_escape.py", res);
    Map<String, String> got = new HashMap<>();
    for (String line : r.rec().stdout().split("\n")) {
      String[] f = line.split(" ");
      got.put(f[0], f[1] + " " + f[2]);
    }
    List<String> refused = List.of("unshare_user", "unshare_mount", "unshare_net", "mount", "umount", "ptrace",
        "keyctl", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "setns", "kexec_load", "init_module",
        "x32_getpid");
    Map<String, String> want = new HashMap<>();
    for (String s : refused) want.put(s, "-1 EPERM");
    assertEquals(want, got);
  }

  /** Whether this kernel answers {@code int 0x80} from a 64-bit process at all: the program, run bare, outside any sandbox. */
  private static boolean kernelServesInt80(byte[] binary) throws Exception {
    Path dir = Files.createTempDirectory("syscall32-bare");
    Path exe = dir.resolve("syscall32");
    Files.write(exe, binary);
    exe.toFile().setExecutable(true);
    Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(BARE_PROBE_TIMEOUT_S, TimeUnit.SECONDS), "the bare probe did not end");
    Files.delete(exe);
    Files.delete(dir);
    return out.contains("survived");
  }

  private static final long BARE_PROBE_TIMEOUT_S = 10;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bwrap", "firejail"})
  void thirtyTwoBitSyscallCannotSlipPastTheFilter(String backend) throws Exception {
    SandboxHarness h = harness(backend);
    byte[] binary = Compilers.gcc(SandboxHarness.resource("hostile/syscall32.c"));
    Slot slot = h.take();
    try {
      slot.workspace().write("syscall32", binary, true);
      var r = h.startIn(slot, spec(List.of("./syscall32"), 10_000));
      RunResult res = r.rec().awaitResult(20_000);

      if (!kernelServesInt80(binary)) {
        // a kernel without the i386 entry (IA32 emulation off, or a PVM guest like CI's) faults
        // the instruction itself: there is no 32-bit ABI to slip through, and the program still
        // must not get past it
        assertEquals("before\n", r.rec().stdout());
        assertEquals("SIGSEGV", res.signal());
      } else if (backend.equals("bwrap")) {
        // our filter kills the process on any non-x86_64 syscall
        assertVerdict("syscall32.c", res);
        assertEquals("SIGSYS", res.signal());
        assertEquals("before\n", r.rec().stdout());
      } else {
        // firejail's --seccomp.block-secondary answers every i386 syscall with EPERM
        assertEquals(RunStatus.OK, res.status());
        assertEquals("before\nsurvived -1\n", r.rec().stdout());
      }
    } finally {
      h.recycle(slot);
    }
  }
}
