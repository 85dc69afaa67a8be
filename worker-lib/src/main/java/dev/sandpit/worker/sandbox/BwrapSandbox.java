package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * bubblewrap backend: new user, pid, net, ipc, uts and cgroup namespaces (no network at all, no
 * other process visible), no nested user namespaces, a fresh /proc, /dev and /tmp, the host's
 * /usr read-only, the workspace as the only writable host path, an empty environment, the
 * seccomp filter of {@link SeccompFilter}, and no capabilities or new privileges. The program's uid
 * has a passwd and group entry ({@value #USER}, so {@code whoami} and {@code id} answer), and its
 * HOME is a private tmpfs thrown away with the sandbox: what tools keep there (.python_history,
 * .bash_history, caches) never lands in the workspace, and so never in a session's files.
 */
final class BwrapSandbox implements Sandbox {
  /** The name of every slot's uid inside the sandbox. */
  static final String USER = "sandbox";
  private static final long BYTES_PER_MB = 1024 * 1024;
  /** The program's HOME: a private tmpfs, not the workspace. */
  static final String HOME = "/home/" + USER;

  private final SandboxConfig config;
  /** Per-uid passwd and group files, written once per uid on first use (root-only, read-only in the sandbox). */
  private final ConcurrentHashMap<Integer, Path> identities = new ConcurrentHashMap<>();
  private final Path seccomp;
  private final Path seccompTracing;
  /** The compiled launcher and init ({@link SandboxHelper}); null: the shell and setpriv. */
  private final Path helper;

  BwrapSandbox(SandboxConfig config) throws IOException {
    this.config = config;
    Files.createDirectories(config.workRoot());
    this.seccomp = config.workRoot().resolve("seccomp.bpf");
    this.seccompTracing = config.workRoot().resolve("seccomp-ptrace.bpf");
    writeFilter(config.workRoot(), seccomp, SeccompFilter.program(false));
    writeFilter(config.workRoot(), seccompTracing, SeccompFilter.program(true));
    this.helper = config.helper() ? SandboxHelper.build(config.workRoot()) : null;
  }

  /**
   * The directory with {@code passwd} and {@code group} for {@code uid}: root, nobody (what unmapped
   * owners show as) and {@value #USER} as {@code uid}. Nothing of the host's accounts.
   */
  private Path identity(int uid) {
    return identities.computeIfAbsent(uid, u -> {
      try {
        Path dir = config.workRoot().resolve("etc").resolve(Integer.toString(u));
        Files.createDirectories(dir);
        write(dir, "passwd", "root:x:0:0:root:/root:/usr/sbin/nologin\n"
            + USER + ":x:" + u + ":" + u + ":Sandpit run:" + HOME + ":/bin/bash\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        write(dir, "group", "root:x:0:\n" + USER + ":x:" + u + ":\nnogroup:x:65534:\n");
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static void write(Path dir, String name, String content) throws IOException {
    Path tmp = Files.createTempFile(dir, name, ".tmp");
    Files.writeString(tmp, content);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Whether sandboxes start through the compiled helper. */
  boolean usesHelper() {
    return helper != null;
  }

  private static void writeFilter(Path dir, Path target, byte[] program) throws IOException {
    Path tmp = Files.createTempFile(dir, "seccomp", ".tmp");
    Files.write(tmp, program);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public String name() {
    return "bwrap";
  }

  @Override
  public List<String> launchCommand(Slot slot) {
    String uid = Integer.toString(slot.uid());
    List<String> a;
    if (helper != null) {
      a = new ArrayList<>(List.of(helper.toString(), "launch", uid, "--"));
    } else {
      a = Sandbox.launcher(true);
      a.addAll(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
          "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
    }
    a.addAll(List.of("/usr/bin/bwrap",
        "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
        "--unshare-cgroup", "--disable-userns", "--die-with-parent", "--new-session",
        "--hostname", "sandpit",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64"));
    for (String p : Sandbox.systemPaths()) a.addAll(List.of("--ro-bind", p, p));
    Path ids = identity(slot.uid());
    String size = Long.toString(config.workspaceMb() * BYTES_PER_MB);
    a.addAll(List.of(
        "--ro-bind", ids.resolve("passwd").toString(), "/etc/passwd",
        "--ro-bind", ids.resolve("group").toString(), "/etc/group",
        "--proc", "/proc", "--dev", "/dev",
        "--size", size, "--tmpfs", "/tmp",
        "--perms", "0700", "--size", size, "--tmpfs", HOME,
        "--bind", slot.dir().toString(), "/work", "--chdir", "/work",
        "--clearenv",
        "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
        "--setenv", "HOME", HOME, "--setenv", "TMPDIR", "/tmp",
        "--setenv", "LANG", "C.UTF-8", "--setenv", "USER", USER, "--setenv", "LOGNAME", USER,
        "--seccomp", "3"));
    if (helper != null) {
      a.addAll(List.of("--ro-bind", helper.toString(), SandboxHelper.INSIDE, SandboxHelper.INSIDE, "init"));
    } else {
      a.addAll(List.of("/bin/sh", "-c", Sandbox.INIT));
    }
    return a;
  }

  @Override
  public Map<String, String> launchEnv(Slot slot) {
    return launchEnv(slot, false);
  }

  @Override
  public Map<String, String> launchEnv(Slot slot, boolean tracing) {
    return Map.of("SANDPIT_CGROUPS", Sandbox.cgroupDirs(slot), "SANDPIT_SECCOMP", (tracing ? seccompTracing : seccomp).toString());
  }

  @Override
  public Set<String> supervisorNames() {
    return Set.of("bwrap");
  }
}
