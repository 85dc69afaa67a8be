package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;

/** Checks on host paths that root-side code trusts. */
final class HostPaths {
  private HostPaths() {}

  /**
   * {@code path} and every directory above it are owned by root (this process), are no symbolic
   * links, and are writable by no one else (the sticky /tmp is fine: nobody else may rename in it).
   */
  static boolean rootOnly(Path path) {
    try {
      for (Path p = path.toAbsolutePath(); p != null; p = p.getParent()) {
        var a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink() || !a.owner().getName().equals("root")) return false;
        var perms = a.permissions();
        boolean othersWrite = perms.contains(PosixFilePermission.GROUP_WRITE)
            || perms.contains(PosixFilePermission.OTHERS_WRITE);
        if (othersWrite && !(a.isDirectory() && sticky(p))) return false;
      }
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static boolean sticky(Path dir) throws IOException {
    return (((Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 01000) != 0;
  }
}
