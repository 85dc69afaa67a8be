package dev.sandpit.worker.sandbox;

import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.FileNames;
import dev.sandpit.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A slot's workspace: the directory the sandbox sees as {@code /work}.
 *
 * <p>When the worker is root (always, in production) it is a tmpfs of its own, size and inode
 * capped, and every run gets a new one: {@link #reset} detaches the old mount with everything the
 * run left in it (however deep, oddly named, unreadable or still open) and mounts a fresh one. So
 * no tree the program made is ever walked as root to delete it. What root does read of a run's
 * files (the files handed back, a build's program) it reads relative to directory descriptors
 * ({@link SecureDirectoryStream}: openat/fstatat with O_NOFOLLOW), never by absolute path, so the
 * depth of a tree, its names, its links and its modes cannot lead it anywhere else.
 *
 * <p>Files of a job are written into the fresh mount before its program starts: nothing of
 * the program has run in it yet.
 */
public final class Workspace {
  /** Inodes of one run's workspace: files and directories together. */
  static final int MAX_INODES = 16384;
  static final long DEFAULT_SIZE_MB = 64;
  /** Mounts a reset takes off the workspace before it gives up (something keeps mounting). */
  static final int MAX_DETACHED_MOUNTS = 64;
  /** How deep a snapshot looks into the workspace's directories. */
  static final int SNAPSHOT_MAX_DEPTH = 16;
  static final long EXEC_TIMEOUT_S = 30;

  private final Path dir;
  private final int uid;
  private long sizeMb = DEFAULT_SIZE_MB;
  private boolean mounted;

  Workspace(Path dir, int uid) {
    this.dir = dir;
    this.uid = uid;
  }

  public Path dir() {
    return dir;
  }

  /** Create the mount point and the first workspace. */
  void prepare(long sizeMb) throws IOException {
    this.sizeMb = sizeMb;
    Files.createDirectories(dir);
    reset();
  }

  /**
   * A new, empty workspace for the next run. Root: every mount on the directory detached (a crashed
   * worker may have left several), a new tmpfs mounted. Otherwise (tests and development without
   * root) the directory is emptied by {@code rm -rf}, which works relative to descriptors too.
   * Throws when the result fails {@link #check}.
   */
  void reset() throws IOException {
    if (isRoot()) {
      int detached = 0;
      while (Mounts.detach(dir)) {
        if (++detached > MAX_DETACHED_MOUNTS) throw new IOException(dir + ": mounts keep reappearing");
      }
      mounted = false;
      var a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isDirectory()) throw new IOException(dir + " is no longer a directory");
      Mounts.tmpfs(dir, "sandpit-ws", "size=" + sizeMb + "m,nr_inodes=" + MAX_INODES + ",mode=0700,uid=" + uid + ",gid=" + uid);
      mounted = true;
    } else {
      if (exec("/bin/rm", "-rf", "--one-file-system", "--", dir.toString()) != 0) throw new IOException("cannot empty " + dir);
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    String problem = check();
    if (problem != null) throw new IOException(problem);
  }

  /** Detach the workspace for good (the slot is closing). */
  void unmount() {
    if (!isRoot()) return;
    try {
      while (Mounts.detach(dir)) {
        // every layer
      }
    } catch (IOException ignored) {
      // nothing more can be done for it
    }
    mounted = false;
  }

  /**
   * Null when the workspace is as a run must find it, else what is wrong: a directory, its own
   * mount (root), owned by the slot's uid and group with mode 0700 (root), and empty.
   */
  public String check() {
    try {
      var a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isDirectory()) return dir + " is not a directory";
      if (isRoot()) {
        Object dev = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Object parentDev = Files.getAttribute(dir.getParent(), "unix:dev", LinkOption.NOFOLLOW_LINKS);
        if (!mounted || dev.equals(parentDev)) return dir + " has no workspace mounted";
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int group = (Integer) Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (owner != uid || group != uid) return dir + " is owned by " + owner + ":" + group + ", not " + uid + ":" + uid;
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        if (mode != 0700) return dir + " has mode " + Integer.toOctalString(mode) + ", not 700";
      }
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
        if (s.iterator().hasNext()) return dir + " is not empty";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return dir + ": " + e;
    }
  }

  public boolean capped() {
    return mounted;
  }

  /**
   * Write a file of the run (path already validated relative), creating parent directories. Only
   * before the program starts, into a fresh workspace; links are refused all the same.
   */
  public void write(String relative, byte[] content, boolean executable) throws IOException {
    Path target = resolve(relative);
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
    Files.write(target, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    chown(target);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
  }

  // ---- reading what a run left: relative to directory descriptors only ----

  /** A file met by {@link #walk}: its path in the workspace, its attributes (not followed), its content on demand. */
  public static final class Entry {
    private final SecureDirectoryStream<Path> parent;
    private final Path name;
    private final String path;
    private final PosixFileAttributes attributes;
    private final int depth;

    Entry(SecureDirectoryStream<Path> parent, Path name, String path, PosixFileAttributes attributes, int depth) {
      this.parent = parent;
      this.name = name;
      this.path = path;
      this.attributes = attributes;
      this.depth = depth;
    }

    /** Relative to the workspace, '/'-separated. */
    public String path() {
      return path;
    }

    public PosixFileAttributes attributes() {
      return attributes;
    }

    /** 1 for a file directly in the walk's start directory. */
    public int depth() {
      return depth;
    }

    /** A regular file's channel, opened relative to its directory without following a link. */
    public SeekableByteChannel open() throws IOException {
      if (!attributes.isRegularFile()) throw new IOException(path + " is not a regular file");
      return parent.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }

    /** A regular file's bytes; refused over {@code maxBytes}. */
    public byte[] read(long maxBytes) throws IOException {
      if (attributes.size() > maxBytes) throw new IOException(path + " is larger than " + maxBytes + " bytes");
      try (SeekableByteChannel ch = open()) {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(maxBytes + 1, Math.max(attributes.size() + 1, 1)));
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
          // until full or EOF
        }
        if (buf.position() > maxBytes) throw new IOException(path + " is larger than " + maxBytes + " bytes");
        byte[] out = new byte[buf.position()];
        buf.flip().get(out);
        return out;
      }
    }
  }

  /** What a walk does with the tree: which directories to enter, what to do with each file. */
  public interface Visitor {
    /** Whether to enter the directory at {@code path} ({@code depth} as a file's would be). */
    default boolean enter(String path, int depth) {
      return true;
    }

    /** A non-directory entry (regular file, link, FIFO, socket, device); false stops the walk. */
    boolean visit(Entry e) throws IOException;
  }

  /**
   * Walk the tree under {@code under} (relative; "" or "." for the workspace) by directory
   * descriptors, never following a link, at most {@code maxDepth} levels deep. Directories that
   * cannot be opened are skipped. Call only when no process of the run is left.
   */
  public void walk(String under, int maxDepth, Visitor v) throws IOException {
    List<Path> names = new ArrayList<>();
    String prefix = "";
    if (under != null && !under.isEmpty() && !under.equals(".")) {
      Path rel = dir.relativize(resolve(under));
      for (Path n : rel) names.add(n);
      prefix = rel.toString().replace('\\', '/') + "/";
    }
    try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
      if (!(top instanceof SecureDirectoryStream<Path> root)) throw new IOException("no descriptor-relative directory access here");
      List<SecureDirectoryStream<Path>> opened = new ArrayList<>();
      try {
        SecureDirectoryStream<Path> at = root;
        for (Path n : names) {
          var a = at.getFileAttributeView(n, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
          if (!a.isDirectory()) return;
          at = at.newDirectoryStream(n, LinkOption.NOFOLLOW_LINKS);
          opened.add(at);
        }
        walk(at, prefix, 1, maxDepth, v);
      } finally {
        for (int i = opened.size() - 1; i >= 0; i--) opened.get(i).close();
      }
    }
  }

  /** False when the visitor stopped the walk. */
  private static boolean walk(SecureDirectoryStream<Path> d, String prefix, int depth, int maxDepth, Visitor v) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (Path p : d) {
      Path name = p.getFileName();
      PosixFileAttributes a;
      try {
        a = d.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
      } catch (IOException e) {
        continue; // gone, or unreadable: not the program's to hand over
      }
      String path = prefix + name;
      if (a.isDirectory()) {
        if (depth < maxDepth && v.enter(path, depth)) dirs.add(name);
      } else if (!v.visit(new Entry(d, name, path, a, depth))) {
        return false;
      }
    }
    for (Path name : dirs) {
      SecureDirectoryStream<Path> sub;
      try {
        sub = d.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        continue;
      }
      try (sub) {
        if (!walk(sub, prefix + name + "/", depth + 1, maxDepth, v)) return false;
      }
    }
    return true;
  }

  /** A regular file the run produced, by relative path; links (anywhere on the way) and special files are refused. */
  public byte[] readRegular(String relative, long maxBytes) throws IOException {
    Path rel = dir.relativize(resolve(relative));
    String parent = rel.getParent() == null ? "" : rel.getParent().toString();
    String want = rel.toString();
    byte[][] found = {null};
    IOException[] failure = {null};
    walk(parent, 1, e -> {
      if (!e.path().equals(want)) return true;
      if (!e.attributes().isRegularFile()) {
        failure[0] = new IOException(relative + " is not a regular file");
      } else {
        found[0] = e.read(maxBytes);
      }
      return false;
    });
    if (failure[0] != null) throw failure[0];
    if (found[0] == null) throw new NoSuchFileException(relative);
    return found[0];
  }

  /** Regular files (not links) directly in the workspace whose names match a simple glob. */
  public List<String> list(String glob) throws IOException {
    List<String> out = new ArrayList<>();
    var matcher = dir.getFileSystem().getPathMatcher("glob:" + glob);
    walk("", 1, e -> {
      if (e.attributes().isRegularFile() && matcher.matches(Path.of(e.path()))) out.add(e.path());
      return true;
    });
    return out;
  }

  /**
   * The regular files the run left (relative path to bytes), at most 16 levels deep, at most
   * {@code maxFiles} files of at most {@code maxFileBytes} each and {@code maxTotalBytes} in all;
   * files that do not fit, names the API would refuse, links, sockets, FIFOs and devices are left out.
   */
  public Map<String, byte[]> snapshot(int maxFiles, long maxFileBytes, long maxTotalBytes) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    long[] total = {0};
    walk("", SNAPSHOT_MAX_DEPTH, e -> {
      if (out.size() >= maxFiles) return false;
      PosixFileAttributes a = e.attributes();
      if (!a.isRegularFile() || a.size() > maxFileBytes || total[0] + a.size() > maxTotalBytes) return true;
      try {
        FileNames.validate(e.path());
      } catch (ProtocolException bad) {
        return true; // a name the API would refuse stays behind
      }
      try {
        byte[] b = e.read(maxFileBytes);
        total[0] += b.length;
        out.put(e.path(), b);
      } catch (IOException unreadable) {
        // grew past the cap, or vanished: left out
      }
      return true;
    });
    return out;
  }

  Path resolve(String relative) {
    Path p = dir.resolve(FileNames.validate(relative)).normalize();
    if (!p.startsWith(dir) || p.equals(dir)) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "file name '" + relative + "' leaves the workspace");
    }
    return p;
  }

  private void chown(Path p) throws IOException {
    if (!isRoot()) return;
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static int exec(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(EXEC_TIMEOUT_S, TimeUnit.SECONDS)) {
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
