package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Firejail backend (the product card's sandbox). Started as the slot's unprivileged uid (firejail
 * started by root would leave the program as root with every capability), from an empty
 * environment, without a profile or a login shell, with no network, private /dev and /tmp, the
 * workspace as home, firejail's default seccomp filter plus namespaces, io_uring and the i386 ABI,
 * every capability dropped, no new privileges, and deterministic shutdown so no daemon keeps the
 * sandbox alive.
 *
 * <p>Firejail refuses to start for a uid without a passwd entry ({@code getpwuid}), and it mounts
 * its private /tmp and blacklists over the workspace's host path (under /tmp or /var). So the
 * root-side launcher first enters a private mount namespace of its own where /etc/passwd is a
 * copy with an entry for every slot uid (home {@value #HOME}), /home is an empty tmpfs, and the
 * slot's workspace is bound on {@value #HOME}; the host's /etc/passwd and /home stay untouched.
 */
final class FirejailSandbox implements Sandbox {
  /** Where the workspace appears inside a firejail sandbox (bwrap: /work). */
  static final String HOME = "/home/sandbox";
  private static final long BYTES_PER_MB = 1024 * 1024;

  /** Runs as root in the launcher's private mount namespace: $1 passwd copy, $2 workspace. */
  private static final String MOUNTS = "mount --bind \"$1\" /etc/passwd"
      + " && mount -t tmpfs -o size=16k,nr_inodes=16,mode=0755,nosuid,nodev sandpit-home /home"
      + " && mkdir " + HOME + " && mount --bind \"$2\" " + HOME + " && shift 2 && exec \"$@\"";

  private final SandboxConfig config;
  private final Path passwd;

  FirejailSandbox(SandboxConfig config) throws IOException {
    this.config = config;
    Files.createDirectories(config.workRoot());
    this.passwd = config.workRoot().resolve("firejail-passwd");
    // the slot entries first: getpwuid answers with the first line of the uid
    StringBuilder sb = new StringBuilder();
    for (int uid = config.uidBase(); uid < config.uidBase() + config.uidCount(); uid++) {
      sb.append("sandbox:x:").append(uid).append(':').append(uid).append(":Sandpit run:")
          .append(HOME).append(":/bin/sh\n");
    }
    sb.append(Files.readString(Path.of("/etc/passwd"), StandardCharsets.UTF_8));
    Path tmp = Files.createTempFile(config.workRoot(), "passwd", ".tmp");
    Files.writeString(tmp, sb, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(tmp, passwd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public String name() {
    return "firejail";
  }

  @Override
  public List<String> launchCommand(Slot slot) {
    return launchCommand(slot, false);
  }

  /** With {@code tracing}, firejail's --allow-debuggers lets ptrace through its filter (LeakSanitizer). */
  @Override
  public List<String> launchCommand(Slot slot, boolean tracing) {
    String uid = Integer.toString(slot.uid());
    List<String> a = Sandbox.launcher(false);
    a.addAll(List.of("/usr/bin/env", "-i",
        "/usr/bin/unshare", "--mount", "--propagation", "private", "--",
        "/bin/sh", "-c", MOUNTS, "sandpit-mounts", passwd.toString(), slot.dir().toString(),
        "/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--inh-caps=-all", "--",
        "/usr/bin/firejail", "--quiet", "--noprofile", "--net=none", "--nosound", "--no3d",
        "--private-dev", "--private-tmp", "--private-cache",
        "--caps.drop=all", "--nonewprivs", "--nogroups", "--noroot",
        // the default filter lets namespaces (unshare/clone/setns), io_uring and the i386 ABI
        // through; refuse them as the bwrap backend does
        "--seccomp=io_uring_setup,io_uring_enter,io_uring_register", "--restrict-namespaces",
        "--seccomp.block-secondary",
        "--deterministic-shutdown", "--rlimit-fsize=" + config.workspaceMb() * BYTES_PER_MB,
        // /run itself cannot be blacklisted (firejail keeps its own state in /run/firejail)
        "--whitelist=/run/firejail",
        "--blacklist=/root", "--blacklist=/var", "--blacklist=/boot",
        "--blacklist=/etc/shadow", "--blacklist=/etc/ssh", "--blacklist=/etc/postgresql",
        "--blacklist=/etc/redis", "--blacklist=" + config.workRoot(),
        "--env=HOME=" + HOME, "--env=PATH=/usr/local/bin:/usr/bin:/bin", "--env=TMPDIR=/tmp",
        "--env=LANG=C.UTF-8", "--env=USER=sandbox",
        "--", "/bin/sh", "-c", "cd " + HOME + " && " + Sandbox.INIT));
    if (tracing) a.add(a.indexOf("--noprofile"), "--allow-debuggers");
    return a;
  }

  @Override
  public Map<String, String> launchEnv(Slot slot) {
    return Map.of("SANDPIT_CGROUPS", Sandbox.cgroupDirs(slot));
  }

  @Override
  public Set<String> supervisorNames() {
    return Set.of("firejail");
  }
}
