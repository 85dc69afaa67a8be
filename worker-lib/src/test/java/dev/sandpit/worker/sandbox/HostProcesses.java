package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The host's process table as /proc shows it to the (root) test JVM. */
final class HostProcesses {
  private HostProcesses() {}

  /** Every process id in the host's /proc. */
  static List<Long> pids() {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
          .forEach(n -> out.add(Long.parseLong(n)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  /** "pid comm state" of every process that has {@code uid} as its real, effective, saved or fs uid. */
  static List<String> ofUid(int uid) {
    List<String> out = new ArrayList<>();
    for (long pid : pids()) {
      try {
        String name = "?", state = "?";
        boolean match = false;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("Name:")) name = line.substring(5).trim();
          if (line.startsWith("State:")) state = line.substring(6).trim();
          if (line.startsWith("Uid:")) {
            for (String f : line.substring(4).trim().split("\\s+")) match |= f.equals(Integer.toString(uid));
          }
        }
        if (match) out.add(pid + " " + name + " " + state);
      } catch (IOException e) {
        // the process ended while we looked
      }
    }
    return out;
  }

  /** Like {@link #ofUid} without zombies: processes that can still run code. */
  static List<String> liveOfUid(int uid) {
    return ofUid(uid).stream().filter(p -> !p.contains(" Z ")).toList();
  }

  /**
   * Wait until no process of {@code uid} is left at all. bwrap's (and firejail's) outer process
   * exits as soon as it learns the program's status, before its pid-namespace init is reaped; that
   * init's zombie goes to the host's init, which reaps it.
   */
  static List<String> awaitNoneOfUid(int uid, long timeoutMs) {
    try {
      Poll.until("no process of uid " + uid, () -> ofUid(uid).isEmpty(), timeoutMs);
    } catch (AssertionError e) {
      // the caller asserts on what is left
    }
    return ofUid(uid);
  }
}
