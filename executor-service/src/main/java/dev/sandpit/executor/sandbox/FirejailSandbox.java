package dev.sandpit.executor.sandbox;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Firejail backend (the product card's sandbox). Started as the slot's unprivileged uid (firejail
 * started by root would leave the program as root with every capability), from an empty
 * environment, without a profile or a login shell, with no network, private /dev and /tmp, the
 * workspace as home, firejail's default seccomp filter, every capability dropped, no new
 * privileges, and deterministic shutdown so no daemon keeps the sandbox alive.
 */
final class FirejailSandbox implements Sandbox {
  private final SandboxConfig config;

  FirejailSandbox(SandboxConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return "firejail";
  }

  @Override
  public List<String> launchCommand(Slot slot) {
    String uid = Integer.toString(slot.uid());
    List<String> a = Sandbox.launcher(false);
    a.addAll(List.of("/usr/bin/env", "-i",
        "/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--inh-caps=-all", "--",
        "/usr/bin/firejail", "--quiet", "--noprofile", "--net=none", "--nosound", "--no3d",
        "--private=" + slot.dir(), "--private-dev", "--private-tmp", "--private-cache",
        "--caps.drop=all", "--nonewprivs", "--seccomp", "--nogroups", "--noroot",
        "--deterministic-shutdown", "--rlimit-fsize=" + config.workspaceMb() * 1024 * 1024,
        "--blacklist=/root", "--blacklist=/var", "--blacklist=/run", "--blacklist=/boot",
        "--blacklist=/etc/shadow", "--blacklist=/etc/ssh", "--blacklist=/etc/postgresql",
        "--blacklist=/etc/redis",
        "--", "/bin/sh", "-c", "cd && " + Sandbox.INIT));
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
