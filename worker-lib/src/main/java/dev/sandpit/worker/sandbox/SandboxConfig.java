package dev.sandpit.worker.sandbox;

import dev.sandpit.config.Settings;
import java.nio.file.Path;

/**
 * Sandbox configuration ({@code SANDPIT_SANDBOX_*}); every key carries its unit.
 *
 * @param backend {@code SANDPIT_SANDBOX_BACKEND}: bwrap (default, fastest) or firejail
 * @param workRoot {@code SANDPIT_SANDBOX_ROOT}: per-slot workspaces, uid leases, seccomp filter
 * @param uidBase {@code SANDPIT_SANDBOX_UID_BASE}: first unprivileged uid handed to run slots
 * @param uidCount {@code SANDPIT_SANDBOX_UID_COUNT}: how many uids the host's workers share
 * @param workspaceMb {@code SANDPIT_SANDBOX_WORKSPACE_MB}: size cap of one run's workspace
 * @param pidsMax {@code SANDPIT_SANDBOX_PIDS_MAX}: processes+threads of one run
 * @param cpuPercent {@code SANDPIT_SANDBOX_CPU_PERCENT}: CPU share of one run (100 = one core)
 * @param cgroupRoot {@code SANDPIT_SANDBOX_CGROUP_ROOT}: cgroup v1 mount point
 * @param warm {@code SANDPIT_SANDBOX_WARM}: keep a started sandbox waiting in each idle slot
 * @param helper {@code SANDPIT_SANDBOX_HELPER}: start bwrap sandboxes through the compiled launcher
 *     and init ({@link SandboxHelper}) when a C compiler can build it; off: the shell and setpriv
 */
public record SandboxConfig(
    String backend,
    Path workRoot,
    int uidBase,
    int uidCount,
    long workspaceMb,
    int pidsMax,
    int cpuPercent,
    Path cgroupRoot,
    boolean warm,
    boolean helper) {

  public static final String BACKEND = "SANDPIT_SANDBOX_BACKEND";
  public static final String ROOT = "SANDPIT_SANDBOX_ROOT";
  public static final String UID_BASE = "SANDPIT_SANDBOX_UID_BASE";
  public static final String UID_COUNT = "SANDPIT_SANDBOX_UID_COUNT";
  public static final String WORKSPACE_MB = "SANDPIT_SANDBOX_WORKSPACE_MB";
  public static final String PIDS_MAX = "SANDPIT_SANDBOX_PIDS_MAX";
  public static final String CPU_PERCENT = "SANDPIT_SANDBOX_CPU_PERCENT";
  public static final String CGROUP_ROOT = "SANDPIT_SANDBOX_CGROUP_ROOT";
  public static final String WARM = "SANDPIT_SANDBOX_WARM";
  public static final String HELPER = "SANDPIT_SANDBOX_HELPER";

  // the values when a setting is absent, and the range a setting must be in
  static final int DEFAULT_UID_BASE = 61000;
  static final int MIN_UID_BASE = 1000; // above the system's own users
  static final int MAX_UID_BASE = 4_000_000;
  static final int DEFAULT_UID_COUNT = 256;
  static final int MAX_UID_COUNT = 65536;
  static final long DEFAULT_WORKSPACE_MB = 64;
  static final long MAX_WORKSPACE_MB = 65536;
  static final int DEFAULT_PIDS = 128;
  static final int MIN_PIDS = 8;
  static final int MAX_PIDS = 100_000;
  static final int DEFAULT_CPU_PERCENT = 100; // one core
  static final int MAX_CPU_PERCENT = 6400;

  public static SandboxConfig from(Settings s) {
    String backend = s.string(BACKEND, "bwrap");
    if (!backend.equals("bwrap") && !backend.equals("firejail")) {
      throw new Settings.ConfigException(BACKEND, "'" + backend + "' is not bwrap or firejail");
    }
    return new SandboxConfig(
        backend,
        Path.of(s.string(ROOT, "/var/lib/sandpit")),
        s.intValue(UID_BASE, DEFAULT_UID_BASE, MIN_UID_BASE, MAX_UID_BASE),
        s.intValue(UID_COUNT, DEFAULT_UID_COUNT, 1, MAX_UID_COUNT),
        s.longValue(WORKSPACE_MB, DEFAULT_WORKSPACE_MB, 1, MAX_WORKSPACE_MB),
        s.intValue(PIDS_MAX, DEFAULT_PIDS, MIN_PIDS, MAX_PIDS),
        s.intValue(CPU_PERCENT, DEFAULT_CPU_PERCENT, 1, MAX_CPU_PERCENT),
        Path.of(s.string(CGROUP_ROOT, "/sys/fs/cgroup")),
        s.bool(WARM, true),
        s.bool(HELPER, true));
  }

  public SandboxConfig withBackend(String b) {
    return new SandboxConfig(b, workRoot, uidBase, uidCount, workspaceMb, pidsMax, cpuPercent, cgroupRoot, warm, helper);
  }

  public SandboxConfig withWarm(boolean w) {
    return new SandboxConfig(backend, workRoot, uidBase, uidCount, workspaceMb, pidsMax, cpuPercent, cgroupRoot, w, helper);
  }

  public SandboxConfig withCpuPercent(int percent) {
    return new SandboxConfig(backend, workRoot, uidBase, uidCount, workspaceMb, pidsMax, percent, cgroupRoot, warm, helper);
  }
}
