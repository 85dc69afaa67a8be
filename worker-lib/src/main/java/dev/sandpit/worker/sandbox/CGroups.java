package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which cgroup version the host gives the sandbox, chosen once from what is mounted, and the slot
 * cgroups made for it.
 *
 * <ul>
 *   <li><b>v1</b> when the memory, pids, cpu, cpuacct and freezer hierarchies are mounted under the
 *       root (a legacy or hybrid host);
 *   <li><b>v2</b> when the root is inside a cgroup2 mount (the unified hierarchy) whose
 *       {@code cgroup.controllers} offer memory, pids and cpu. The root is a subtree Sandpit may
 *       manage: the host's {@code /sys/fs/cgroup} as root, a container's own cgroup (a cgroup
 *       namespace with a writable {@code /sys/fs/cgroup}), or a systemd unit's delegated cgroup
 *       ({@code Delegate=yes}; {@code SANDPIT_SANDBOX_CGROUP_ROOT} names it). Slots live in
 *       {@code <root>/sandpit/slot-<uid>}; if the root holds processes itself (the worker in a
 *       container or a unit), they are moved into {@code <root>/sandpit-worker} first, since a
 *       cgroup v2 node that hands controllers to its children may hold no process.
 *   <li>otherwise the worker refuses to start, saying what is missing.
 * </ul>
 * A directory that exists is not enough: on a v2 host {@code mkdir /sys/fs/cgroup/pids/x} makes a
 * cgroup named "pids", so the mount table decides.
 */
public final class CGroups {
  private static final Logger log = LoggerFactory.getLogger(CGroups.class);
  static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct", "freezer");
  static final List<String> V2_CONTROLLERS = List.of("memory", "pids", "cpu");
  private static final Path MOUNTS = Path.of("/proc/self/mounts");
  /** Rounds of moving the worker's processes out of the way (new ones may appear meanwhile). */
  private static final int MAX_MOVE_ROUNDS = 10;

  private CGroups() {}

  /** "v1" or "v2" for {@code root}; throws, saying why, when neither can be used. */
  public static synchronized String version(Path root) throws IOException {
    List<String[]> mounts = new ArrayList<>();
    for (String line : Files.readAllLines(MOUNTS)) {
      String[] f = line.split(" ");
      if (f.length >= 4) mounts.add(f);
    }
    List<String> v1 = new ArrayList<>();
    for (String c : V1_CONTROLLERS) {
      for (String[] m : mounts) {
        if (m[2].equals("cgroup") && Path.of(unescape(m[1])).equals(root.resolve(c)) && Set.of(m[3].split(",")).contains(c)) {
          v1.add(c);
          break;
        }
      }
    }
    if (v1.size() == V1_CONTROLLERS.size()) return "v1";
    boolean unified = mounts.stream().anyMatch(m -> m[2].equals("cgroup2") && root.startsWith(Path.of(unescape(m[1]))));
    if (unified) {
      Path controllers = root.resolve("cgroup.controllers");
      Set<String> have = Files.isReadable(controllers) ? Set.of(Files.readString(controllers).trim().split("\\s+")) : Set.of();
      List<String> missing = V2_CONTROLLERS.stream().filter(c -> !have.contains(c)).toList();
      if (missing.isEmpty()) return "v2";
      throw new IOException("cgroup v2 at " + root + " offers " + have + ", not " + missing
          + ": the parent cgroup must delegate them (systemd: Delegate=yes on the unit; a container: a cgroup namespace"
          + " with a writable /sys/fs/cgroup)");
    }
    throw new IOException("no usable cgroups at " + root + ": neither cgroup v1 (" + V1_CONTROLLERS + " mounted under it; found "
        + v1 + ") nor cgroup v2 (a cgroup2 mount); the sandbox needs one to limit and kill a run's processes");
  }

  /** The slot cgroup {@code name} (e.g. sandpit/slot-61000) for the host's version. */
  public static CGroup of(Path root, String name) throws IOException {
    return version(root).equals("v1") ? new CGroupV1(root, name) : new CGroupV2(root, name);
  }

  /** Mount points in /proc/mounts escape space, tab, newline and backslash as octal. */
  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * Ready {@code parent} to hand {@link #V2_CONTROLLERS} to its children: its own processes (if
   * it is not the host's root cgroup) moved into a leaf {@code sandpit-worker} beside the slots,
   * then the controllers enabled in its {@code cgroup.subtree_control}. Idempotent.
   */
  static synchronized void delegate(Path parent) throws IOException {
    Path control = parent.resolve("cgroup.subtree_control");
    String want = String.join(" ", V2_CONTROLLERS.stream().map(c -> "+" + c).toList());
    if (enabled(control)) return;
    try {
      Files.writeString(control, want);
    } catch (IOException e) {
      // "no internal processes": a non-root cgroup with processes cannot enable controllers for its
      // children (EBUSY). Any other refusal is not ours to work around.
      if (e.getMessage() == null || !e.getMessage().contains("busy")) {
        throw new IOException("cannot enable " + V2_CONTROLLERS + " in " + control + ": " + e.getMessage(), e);
      }
      Path leaf = parent.resolve("sandpit-worker");
      Files.createDirectories(leaf);
      int moved = 0;
      for (int round = 0; round < MAX_MOVE_ROUNDS; round++) {
        String procs = Files.readString(parent.resolve("cgroup.procs")).trim();
        if (procs.isEmpty()) break;
        for (String pid : procs.split("\\s+")) {
          try {
            Files.writeString(leaf.resolve("cgroup.procs"), pid);
            moved++;
          } catch (IOException gone) {
            // exited meanwhile, or a kernel thread
          }
        }
      }
      log.info("cgroup v2: moved {} processes of {} into {} so that it may delegate {}", moved, parent, leaf, V2_CONTROLLERS);
      Files.writeString(control, want);
    }
    if (!enabled(control)) throw new IOException("cannot enable " + V2_CONTROLLERS + " in " + control);
  }

  private static boolean enabled(Path control) throws IOException {
    Set<String> on = Set.of(Files.readString(control).trim().split("\\s+"));
    return on.containsAll(V2_CONTROLLERS);
  }
}
