package dev.sandpit.build.toolchain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the program a make or CMake project built, after the build (its processes are gone): the
 * executables (ELF, executable bit; a shared library is not one) under the project's output
 * directory that were not among the job's files, outside CMake's own {@code CMakeFiles}. The rule:
 * <ol>
 *   <li>an executable named {@code main} (the shallowest, if several);
 *   <li>else the only executable;
 *   <li>else the one built last (the newest), and the build output says which it chose.
 * </ol>
 * Links are never followed (the sandbox wrote this tree).
 */
public final class TargetFinder {
  private TargetFinder() {}

  /** The chosen program (path relative to the workspace) and the other executables seen. */
  public record Found(String path, List<String> others) {}

  private record Candidate(String rel, int depth, long modified) {}

  public static Found find(Path workspace, String outputDir, Set<String> inputs) throws IOException {
    Path root = workspace.resolve(outputDir == null ? "." : outputDir).normalize();
    if (!root.startsWith(workspace) || !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) return null;
    List<Candidate> found = new ArrayList<>();
    Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), 8, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
        String n = d.getFileName() == null ? "" : d.getFileName().toString();
        return !d.equals(root) && (n.equals("CMakeFiles") || n.equals(".git")) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
        if (!a.isRegularFile() || a.size() < 64) return FileVisitResult.CONTINUE;
        String rel = workspace.relativize(f).toString();
        if (inputs.contains(rel)) return FileVisitResult.CONTINUE;
        PosixFileAttributes p = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!p.permissions().contains(PosixFilePermission.OWNER_EXECUTE)) return FileVisitResult.CONTINUE;
        if (!isExecutableElf(f)) return FileVisitResult.CONTINUE;
        found.add(new Candidate(rel, workspace.relativize(f).getNameCount(), a.lastModifiedTime().toMillis()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    if (found.isEmpty()) return null;
    Candidate pick = found.stream().filter(c -> Path.of(c.rel()).getFileName().toString().equals("main"))
        .min(Comparator.comparingInt(Candidate::depth).thenComparing(Candidate::rel)).orElse(null);
    if (pick == null) {
      pick = found.stream().max(Comparator.comparingLong(Candidate::modified).thenComparing(Candidate::rel,
          Comparator.reverseOrder())).orElseThrow();
    }
    Candidate chosen = pick;
    return new Found(chosen.rel(), found.stream().map(Candidate::rel).filter(r -> !r.equals(chosen.rel())).sorted().toList());
  }

  /** ELF64 little-endian, and an executable: ET_EXEC, or ET_DYN with an interpreter (PIE, not a library). */
  static boolean isExecutableElf(Path f) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(f, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
      while (h.hasRemaining() && ch.read(h) > 0) {
        // fill the header
      }
      if (h.position() < 64) return false;
      if (h.get(0) != 0x7f || h.get(1) != 'E' || h.get(2) != 'L' || h.get(3) != 'F' || h.get(4) != 2 || h.get(5) != 1) return false;
      int type = h.getShort(16) & 0xffff;
      if (type == 2) return true; // ET_EXEC
      if (type != 3) return false; // not ET_DYN either
      long phoff = h.getLong(32);
      int phentsize = h.getShort(54) & 0xffff;
      int phnum = h.getShort(56) & 0xffff;
      if (phentsize < 4 || phnum == 0 || phnum > 512 || phoff <= 0) return false;
      ByteBuffer ph = ByteBuffer.allocate(phentsize * phnum).order(ByteOrder.LITTLE_ENDIAN);
      ch.position(phoff);
      while (ph.hasRemaining() && ch.read(ph) > 0) {
        // fill the program headers
      }
      for (int i = 0; i + 4 <= ph.position(); i += phentsize) {
        if (ph.getInt(i) == 3) return true; // PT_INTERP
      }
      return false;
    }
  }
}
