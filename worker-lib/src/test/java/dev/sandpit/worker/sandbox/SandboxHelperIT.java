package dev.sandpit.worker.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compiled launcher and init ({@link SandboxHelper}) on their own, outside a sandbox: the init
 * runs exactly what {@link CommandLine} writes, as the shell init does, and nothing else; the
 * launcher drops to the uid with nothing of root left, or runs nothing. (Inside real sandboxes it
 * is what SandboxHostileIT and SandboxInteractiveIT run by default; their bwrap-sh cases run the
 * shell chain it replaces.)
 */
class SandboxHelperIT {
  private static final String PYTHON = "/usr/bin/python3";
  /** Prints its argv, the environment it was given and what is left on stdin, as JSON. */
  private static final String ECHO = "import json,os,sys; print(json.dumps({'argv': sys.argv[1:], "
      + "'env': {k: v for k, v in os.environ.items() if k.startswith('T_')}, 'rest': sys.stdin.read()}))";
  private static final int UID = 62700;
  private static Path root;
  private static Path helper;
  private static Path filter;
  private static CGroup group;

  @BeforeAll
  static void build() throws Exception {
    root = Files.createTempDirectory("sandpit-helper-test-");
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    helper = SandboxHelper.build(root);
    assertNotNull(helper, "the helper builds on this machine (it has a C compiler)");
    filter = root.resolve("filter.bin");
    Files.write(filter, new byte[] {1, 2, 3});
    group = CGroups.of(Path.of("/sys/fs/cgroup"), "sandpit/helper-test-" + ProcessHandle.current().pid());
    group.create(64, 100);
  }

  /** What the bwrap backend gives the launcher: the slot's cgroups and the filter. */
  private static Map<String, String> launchEnv() {
    return Map.of("SANDPIT_CGROUPS", String.join(" ", group.dirs().stream().map(Path::toString).toList()),
        "SANDPIT_SECCOMP", filter.toString());
  }

  @AfterAll
  static void clean() throws Exception {
    if (group != null) {
      group.killAll();
      for (Path d : group.dirs()) Files.deleteIfExists(d);
    }
    try (var s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  record Ran(int exit, String stdout, String stderr) {}

  private static Ran run(List<String> cmd, Map<String, String> env, String stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        return e.toString();
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "ended: " + cmd);
    return new Ran(p.exitValue(), out, err.get(20, TimeUnit.SECONDS));
  }

  private static Ran helperInit(String line) throws Exception {
    return run(List.of(helper.toString(), "init"), Map.of("PATH", "/usr/bin:/bin"), line);
  }

  private static Ran shellInit(String line) throws Exception {
    return run(List.of("/bin/sh", "-c", Sandbox.INIT), Map.of("PATH", "/usr/bin:/bin"), line);
  }

  @Test
  void initExecsWhatCommandLineWritesAsTheShellInitDoesAndLeavesTheRestOfStdin() throws Exception {
    List<String> tricky = List.of("plain", "two words", "", "it's", "'", "''", "'\\''", "\\", "\\'", "$HOME", "`id`", "$(id)",
        "a;b", "; exec /bin/false", "*", "~", "\"dq\"", "tab\there", "ünï 日本 😀", "--", "-c", "#comment", "a=b", "!", "&&", "|");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("T_A", "value with 'quotes' and $dollar");
    env.put("T_EMPTY", "");
    env.put("T_9", "semi; colon");
    List<String> argv = new ArrayList<>(List.of(PYTHON, "-c", ECHO));
    argv.addAll(tricky);
    String line = CommandLine.of(argv, env);
    String rest = "typed ahead\nand more\n";

    Ran compiled = helperInit(line + rest);
    Ran shell = shellInit(line + rest);
    assertEquals(0, compiled.exit(), compiled.stderr());
    JsonNode j = new ObjectMapper().readTree(compiled.stdout());
    List<String> gotArgv = new ArrayList<>();
    j.get("argv").forEach(n -> gotArgv.add(n.asText()));
    Map<String, String> gotEnv = new LinkedHashMap<>();
    j.get("env").fields().forEachRemaining(e -> gotEnv.put(e.getKey(), e.getValue().asText()));
    assertEquals(tricky, gotArgv);
    assertEquals(env, gotEnv);
    assertEquals(rest, j.get("rest").asText(), "the init read its line and nothing after it");
    assertEquals(0, shell.exit(), shell.stderr());
    assertEquals(new ObjectMapper().readTree(shell.stdout()), j, "the same as the shell init");
    assertEquals(shell.stderr(), compiled.stderr());
  }

  @Test
  void initTakesLinesAndArgumentListsAsLongAsTheShellInitDoes() throws Exception {
    String count = "import sys; print(len(sys.argv) - 1, sum(map(len, sys.argv[1:])))";
    List<String> many = new ArrayList<>(List.of(PYTHON, "-c", count));
    for (int i = 0; i < 5000; i++) many.add("a" + i);
    List<String> big = new ArrayList<>(List.of(PYTHON, "-c", count));
    for (int i = 0; i < 15; i++) big.add("x".repeat(100_000)); // a line of 1.5 MB
    for (List<String> argv : List.of(many, big)) {
      String line = CommandLine.of(argv, Map.of());
      Ran compiled = helperInit(line);
      assertEquals(0, compiled.exit(), compiled.stderr());
      assertEquals(shellInit(line).stdout(), compiled.stdout());
    }
    // past the kernel's limit both report exec's E2BIG as 126
    List<String> tooBig = new ArrayList<>(List.of(PYTHON, "-c", count));
    for (int i = 0; i < 40; i++) tooBig.add("y".repeat(100_000));
    String line = CommandLine.of(tooBig, Map.of());
    assertEquals(126, helperInit(line).exit());
    assertEquals(126, shellInit(line).exit());
  }

  @Test
  void initRunsNothingForALineCommandLineDoesNotWrite() throws Exception {
    Path marker = root.resolve("ran");
    String touch = "'/usr/bin/touch' '" + marker + "'";
    List<String> bad = List.of(
        "exec " + touch.replace("'", ""),           // unquoted words
        touch,                                      // no exec
        "exec " + touch + "; exec '/bin/true'",     // a second command
        "exec " + touch + " && '/bin/true'",
        "export T_A=x; exec " + touch,              // unquoted value
        "export T-A='x'; exec " + touch,            // not a name
        "export 9A='x'; exec " + touch,
        "export T_A='x';exec " + touch,
        "exec",                                     // nothing to run
        "exec ",
        "execx " + touch,
        "exec " + touch + " 'unterminated",
        "exec " + touch + " \\",
        "");
    for (String line : bad) {
      Ran r = helperInit(line + "\n");
      assertEquals(125, r.exit(), "refused: " + line);
      assertFalse(Files.exists(marker), "nothing ran for: " + line);
    }
    assertEquals(125, helperInit("exec " + touch).exit(), "no line ending: end of input before the line");
    assertEquals(125, helperInit("").exit(), "end of input: as the shell's 'exit 125'");
    assertEquals(125, shellInit("").exit());
    assertFalse(Files.exists(marker));
  }

  @Test
  void initExitsAsTheShellWhenTheProgramCannotBeExecuted() throws Exception {
    String missing = CommandLine.of(List.of("/no/such/program"), Map.of());
    assertEquals(127, helperInit(missing).exit());
    assertEquals(127, shellInit(missing).exit());
    String notExecutable = CommandLine.of(List.of("/etc/passwd"), Map.of());
    assertEquals(126, helperInit(notExecutable).exit());
    assertEquals(126, shellInit(notExecutable).exit());
    assertEquals(127, helperInit(CommandLine.of(List.of("no-such-command-on-path"), Map.of())).exit());
    String underAFile = CommandLine.of(List.of("/etc/passwd/x"), Map.of()); // ENOTDIR
    assertEquals(127, helperInit(underAFile).exit());
    assertEquals(127, shellInit(underAFile).exit());
  }

  @Test
  void launchDropsToTheUidWithNoGroupsCapabilitiesOrNewPrivilegesAndHandsTheFilterAsFd3() throws Exception {
    String show = "import os; st = {l.split(':')[0]: l.split(':')[1].split() for l in open('/proc/self/status')}; "
        + "print(st['Uid'], st['Gid'], st['Groups'], st['CapInh'], st['CapPrm'], st['CapEff'], st['CapBnd'], st['CapAmb'], "
        + "st['NoNewPrivs'], os.readlink('/proc/self/fd/3'))";
    Ran r = run(List.of(helper.toString(), "launch", Integer.toString(UID), "--", PYTHON, "-c", show), launchEnv(), "");
    assertEquals(0, r.exit(), r.stderr());
    String u = "'" + UID + "'";
    String z = "['0000000000000000']";
    assertEquals("[" + u + ", " + u + ", " + u + ", " + u + "] [" + u + ", " + u + ", " + u + ", " + u + "] [] "
        + z + " " + z + " " + z + " " + z + " " + z + " ['1'] " + filter + "\n", r.stdout());
  }

  @Test
  void launchJoinsTheCgroupsBeforeItDropsPrivileges() throws Exception {
    Ran r = run(List.of(helper.toString(), "launch", Integer.toString(UID), "--", PYTHON, "-c", "print(open('/proc/self/cgroup').read())"),
        launchEnv(), "");
    assertEquals(0, r.exit(), r.stderr());
    for (Path d : group.dirs()) {
      // v1: a line per hierarchy (…:memory:/sandpit/x, named by its controllers); v2: the one line 0::/sandpit/x
      String controller = group.version().equals("v2") ? "0::" : d.getParent().getParent().getFileName().toString();
      assertTrue(r.stdout().lines().anyMatch(l -> l.contains(controller) && l.endsWith(":/sandpit/" + d.getFileName())),
          "in " + d + ": " + r.stdout());
    }
  }

  @Test
  void aHelperThatAnyoneButRootCouldHavePlacedIsNeverRun() throws Exception {
    Path marker = root.resolve("planted-ran");
    String planted = "#!/bin/sh\ntouch " + marker + "\nexit 42\n";
    // a cached binary that is not root's: rebuilt over, never run
    Path mine = Files.createTempDirectory(root, "root-owned-");
    Files.setPosixFilePermissions(mine, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path bin = plant(mine, planted, "rwxrwxrwx");
    Files.setOwner(bin, bin.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(Integer.toString(UID)));
    assertEquals(bin, SandboxHelper.build(mine));
    assertEquals("root", Files.getOwner(bin).getName());
    assertFalse(Files.readString(bin, StandardCharsets.ISO_8859_1).startsWith("#!"), "replaced by a build");

    // a work root another user may write: nothing from it is trusted, the shell chain is used
    Path theirs = Files.createTempDirectory(root, "user-owned-");
    plant(theirs, planted, "rwxr-xr-x");
    Files.setOwner(theirs, theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(Integer.toString(UID)));
    assertEquals(null, SandboxHelper.build(theirs));
    assertFalse(Files.exists(marker), "a planted helper ran as root");
  }

  /** {@code script} where the worker looks for its cached helper under {@code workRoot}. */
  private static Path plant(Path workRoot, String script, String perms) throws Exception {
    Path bin = workRoot.resolve("helper").resolve(SandboxHelper.hash(SandboxHelper.source())).resolve("sandpit-helper");
    Files.createDirectories(bin.getParent());
    Files.writeString(bin, script);
    Files.setPosixFilePermissions(bin, java.nio.file.attribute.PosixFilePermissions.fromString(perms));
    return bin;
  }

  @Test
  void aSandboxRootThatOthersMayChangeIsRefusedAtStart() throws Exception {
    Path open = Files.createTempDirectory(root, "open-");
    Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    Path under = open.resolve("sandbox");
    for (String backend : List.of("bwrap", "firejail")) {
      SandboxConfig c = new SandboxConfig(backend, under, UID, 4, 16, 64, 100, Path.of("/sys/fs/cgroup"), false, true);
      java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Sandbox.create(c));
      assertTrue(e.getMessage().contains(SandboxConfig.ROOT), e.getMessage());
    }
    assertFalse(Files.exists(under.resolve("seccomp.bpf")), "no filter written where others could swap it");
  }

  @Test
  void launchRunsNothingWhenItCannotDoAllOfItsWork() throws Exception {
    Path marker = root.resolve("launched");
    List<String> touch = List.of("/usr/bin/touch", marker.toString());
    record Case(String why, List<String> args, Map<String, String> env) {}
    String uid = Integer.toString(UID);
    Map<String, String> ok = launchEnv();
    List<Case> cases = List.of(
        new Case("uid 0", List.of("0"), ok),
        new Case("negative uid", List.of("-5"), ok),
        new Case("not a number", List.of("abc"), ok),
        new Case("a sign", List.of("+" + uid), ok),
        new Case("a space", List.of(" " + uid), ok),
        new Case("too many digits", List.of("1" + "0".repeat(12)), ok),
        new Case("no cgroups", List.of(uid), Map.of("SANDPIT_SECCOMP", filter.toString())),
        new Case("blank cgroups", List.of(uid), Map.of("SANDPIT_CGROUPS", "  ", "SANDPIT_SECCOMP", filter.toString())),
        new Case("a cgroup that does not exist", List.of(uid),
            Map.of("SANDPIT_CGROUPS", "/sys/fs/cgroup/pids/no-such-group", "SANDPIT_SECCOMP", filter.toString())),
        new Case("no filter", List.of(uid), Map.of("SANDPIT_CGROUPS", ok.get("SANDPIT_CGROUPS"))),
        new Case("a filter that does not exist", List.of(uid),
            Map.of("SANDPIT_CGROUPS", ok.get("SANDPIT_CGROUPS"), "SANDPIT_SECCOMP", root.resolve("nothing").toString())));
    for (Case c : cases) {
      List<String> cmd = new ArrayList<>(List.of(helper.toString(), "launch"));
      cmd.addAll(c.args());
      cmd.add("--");
      cmd.addAll(touch);
      Ran r = run(cmd, c.env(), "");
      assertEquals(126, r.exit(), c.why() + ": " + r.stderr());
      assertFalse(Files.exists(marker), "nothing ran for " + c.why());
    }
    Ran noSeparator = run(List.of(helper.toString(), "launch", uid, "/usr/bin/touch", marker.toString()), ok, "");
    assertEquals(126, noSeparator.exit());
    assertFalse(Files.exists(marker));
  }
}
