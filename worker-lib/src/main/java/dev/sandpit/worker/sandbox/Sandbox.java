package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A sandbox backend. Every backend starts the same way: a root-side launcher joins the slot's
 * cgroups, drops to the slot's unprivileged uid, and starts the backend, whose init waits for one
 * command line on stdin and then execs it. So a sandbox can be started before its job arrives
 * (the warm pool) and the program keeps the same stdin pipe for its input.
 */
public interface Sandbox {
  /** The init the sandbox runs: read one line, exec it (the line is built by {@link CommandLine}). */
  String INIT = "IFS= read -r c || exit 125; eval \"$c\"";

  String name();

  /** The argv that starts a sandbox in {@code slot} whose init waits for its command line. */
  List<String> launchCommand(Slot slot);

  /** The environment the launcher is started with (the program's is set inside). */
  Map<String, String> launchEnv(Slot slot);

  /**
   * The argv of a sandbox whose program may ptrace its own processes (LeakSanitizer needs it; see
   * {@link SeccompFilter#program(boolean)}); {@code tracing == false} is {@link #launchCommand(Slot)}.
   */
  default List<String> launchCommand(Slot slot, boolean tracing) {
    return launchCommand(slot);
  }

  /** The launcher's environment for {@link #launchCommand(Slot, boolean)}. */
  default Map<String, String> launchEnv(Slot slot, boolean tracing) {
    return launchEnv(slot);
  }

  /** Process names of the sandbox's own supervisors, which a stop signal must spare. */
  Set<String> supervisorNames();

  static Sandbox create(SandboxConfig config) throws IOException {
    // root writes the filters, mounts the workspaces and (bwrap) runs the helper from here: a root
    // that someone else may change would let them change those
    Files.createDirectories(config.workRoot());
    if (!HostPaths.rootOnly(config.workRoot())) {
      throw new IOException(config.workRoot() + " (" + SandboxConfig.ROOT + ") and every directory above it must be root's"
          + " and writable by no one else");
    }
    return switch (config.backend()) {
      case "bwrap" -> new BwrapSandbox(config);
      case "firejail" -> new FirejailSandbox(config);
      default -> throw new IllegalArgumentException("unknown sandbox backend " + config.backend());
    };
  }

  /**
   * The root-side launcher shared by the backends without the compiled helper: join cgroups, then
   * exec the rest with every signal at its default disposition (a worker started by bash's
   * {@code &} ignores SIGINT, and ignored signals survive every exec down to the program).
   */
  static List<String> launcher(boolean withSeccompFd) {
    String script = "for d in $SANDPIT_CGROUPS; do echo $$ > \"$d/cgroup.procs\" || exit 126; done; "
        + (withSeccompFd ? "exec /usr/bin/env --default-signal \"$@\" 3< \"$SANDPIT_SECCOMP\"" : "exec /usr/bin/env --default-signal \"$@\"");
    return new ArrayList<>(List.of("/bin/sh", "-c", script, "sandpit-launch"));
  }

  static String cgroupDirs(Slot slot) {
    return slot.cgroup().dirs().stream().map(Path::toString).collect(Collectors.joining(" "));
  }

  /** Read-only binds of the host that every sandbox gets: the toolchains, nothing private. */
  static List<String> systemPaths() {
    List<String> out = new ArrayList<>();
    for (String p : List.of("/etc/alternatives", "/etc/ld.so.cache", "/etc/java-17-openjdk",
        "/etc/localtime", "/etc/ssl/openssl.cnf")) {
      if (Files.exists(Path.of(p))) out.add(p);
    }
    return out;
  }
}
