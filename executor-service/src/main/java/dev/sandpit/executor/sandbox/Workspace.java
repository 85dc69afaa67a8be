package dev.sandpit.executor.sandbox;

import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.ProtocolException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A slot's workspace: a directory the sandbox sees as {@code /work}, on its own tmpfs (size and
 * inode capped) when the worker runs as root. Root-side operations never follow links the
 * program may have planted.
 */
public final class Workspace {
  private static final Logger log = LoggerFactory.getLogger(Workspace.class);

  private final Path dir;
  private final int uid;
  private boolean mounted;

  Workspace(Path dir, int uid) {
    this.dir = dir;
    this.uid = uid;
  }

  public Path dir() {
    return dir;
  }

  /** Create the directory; mount a capped tmpfs on it when possible. */
  void prepare(long sizeMb) throws IOException {
    Files.createDirectories(dir);
    if (isRoot()) {
      unmount(); // a leftover from a crashed worker
      int rc = exec("/bin/mount", "-t", "tmpfs", "-o",
          "size=" + sizeMb + "m,nr_inodes=16384,mode=0700,uid=" + uid + ",gid=" + uid + ",nosuid,nodev",
          "sandpit-ws", dir.toString());
      mounted = rc == 0;
      if (!mounted) log.warn("workspace {}: tmpfs mount failed (rc {}); no size cap", dir, rc);
    }
    chown(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  void unmount() {
    if (isRoot()) exec("/bin/umount", "-l", dir.toString());
    mounted = false;
  }

  public boolean capped() {
    return mounted;
  }

  /** Write a file of the run (path already validated relative); creates parent directories. */
  public void write(String relative, byte[] content, boolean executable) throws IOException {
    Path target = resolve(relative);
    // every directory on the way must be a real directory: an earlier run may have planted links
    // (sub -> /etc), and root must not follow them out of the workspace
    Path p = dir;
    Path parents = dir.relativize(target).getParent();
    for (Path name : parents == null ? List.<Path>of() : parents) {
      p = p.resolve(name);
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(p);
        chown(p);
      } else if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(relative + " lies behind a link or a file");
      }
    }
    Files.write(target, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS);
    chown(target);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
  }

  /** Read a regular file the run produced; links and special files are refused. */
  public byte[] readRegular(String relative, long maxBytes) throws IOException {
    Path p = resolve(relative);
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) throw new IOException(relative + " is not a regular file");
    if (a.size() > maxBytes) throw new IOException(relative + " is larger than " + maxBytes + " bytes");
    for (Path q = p.getParent(); q != null && !q.equals(dir); q = q.getParent()) {
      if (Files.isSymbolicLink(q)) throw new IOException(relative + " lies behind a link");
    }
    return Files.readAllBytes(p);
  }

  /** Regular files (not links) directly in the workspace whose names match a simple glob. */
  public List<String> list(String glob) throws IOException {
    List<String> out = new ArrayList<>();
    var matcher = dir.getFileSystem().getPathMatcher("glob:" + glob);
    try (var s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && matcher.matches(p.getFileName())) {
          out.add(p.getFileName().toString());
        }
      }
    }
    return out;
  }

  /**
   * The regular files the run left (relative path to bytes), walked without following links, at
   * most {@code maxFiles} files of at most {@code maxFileBytes} each and {@code maxTotalBytes} in
   * all; files that do not fit, links, sockets and devices are left out.
   */
  public java.util.Map<String, byte[]> snapshot(int maxFiles, long maxFileBytes, long maxTotalBytes) throws IOException {
    java.util.Map<String, byte[]> out = new java.util.TreeMap<>();
    long[] total = {0};
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return out;
    Files.walkFileTree(dir, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), 16, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
        if (out.size() >= maxFiles) return FileVisitResult.TERMINATE;
        if (!a.isRegularFile() || a.size() > maxFileBytes || total[0] + a.size() > maxTotalBytes) return FileVisitResult.CONTINUE;
        String rel = dir.relativize(f).toString();
        try {
          dev.sandpit.protocol.FileNames.validate(rel);
        } catch (ProtocolException e) {
          return FileVisitResult.CONTINUE; // a name the API would refuse stays behind
        }
        byte[] b = readRegular(rel, maxFileBytes);
        total[0] += b.length;
        out.put(rel, b);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    return out;
  }

  /** Remove everything in the workspace without following any link. */
  public void clean() throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
        Files.delete(f);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
        Files.deleteIfExists(f);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (!d.equals(dir)) Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  Path resolve(String relative) {
    Path p = dir.resolve(dev.sandpit.protocol.FileNames.validate(relative)).normalize();
    if (!p.startsWith(dir) || p.equals(dir)) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "file name '" + relative + "' leaves the workspace");
    }
    return p;
  }

  private void chown(Path p) throws IOException {
    if (!isRoot()) return;
    UserPrincipalLookupService l = p.getFileSystem().getUserPrincipalLookupService();
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static int exec(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
