package dev.sandpit.build.toolchain;

import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.worker.sandbox.Workspace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
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
 * The walk is relative to directory descriptors and never follows a link (the sandbox wrote this tree).
 */
public final class TargetFinder {
  private TargetFinder() {}

  /** How deep the workspace is searched for the program a build made. */
  static final int MAX_DEPTH = 8;
  /** The ELF64 header. */
  private static final int ELF_HEADER_BYTES = 64;

  /** The chosen program (path relative to the workspace) and the other executables seen. */
  public record Found(String path, List<String> others) {}

  private record Candidate(String rel, int depth, long modified) {}

  public static Found find(Workspace workspace, String outputDir, Set<String> inputs) throws IOException {
    String under = outputDir == null ? "" : outputDir;
    List<Candidate> found = new ArrayList<>();
    // by directory descriptors, links never followed: the sandbox wrote this tree, and may have
    // made it deeper than PATH_MAX or named its files with anything but '/' and NUL
    try {
      walk(workspace, under, inputs, found);
    } catch (ProtocolException outside) { // an output directory that leaves the workspace
      return null;
    }
    if (found.isEmpty()) return null;
    Candidate pick = found.stream().filter(c -> c.rel().substring(c.rel().lastIndexOf('/') + 1).equals("main"))
        .min(Comparator.comparingInt(Candidate::depth).thenComparing(Candidate::rel)).orElse(null);
    if (pick == null) {
      pick = found.stream().max(Comparator.comparingLong(Candidate::modified).thenComparing(Candidate::rel,
          Comparator.reverseOrder())).orElseThrow();
    }
    Candidate chosen = pick;
    return new Found(chosen.rel(), found.stream().map(Candidate::rel).filter(r -> !r.equals(chosen.rel())).sorted().toList());
  }

  private static void walk(Workspace workspace, String under, Set<String> inputs, List<Candidate> found) throws IOException {
    workspace.walk(under, MAX_DEPTH, new Workspace.Visitor() {
      @Override
      public boolean enter(String path, int depth) {
        String n = path.substring(path.lastIndexOf('/') + 1);
        return !n.equals("CMakeFiles") && !n.equals(".git");
      }

      @Override
      public boolean visit(Workspace.Entry e) throws IOException {
        PosixFileAttributes a = e.attributes();
        if (!a.isRegularFile() || a.size() < ELF_HEADER_BYTES || inputs.contains(e.path())) return true;
        if (!a.permissions().contains(PosixFilePermission.OWNER_EXECUTE)) return true;
        try (SeekableByteChannel ch = e.open()) {
          if (!isExecutableElf(ch)) return true;
        } catch (IOException unreadable) {
          return true;
        }
        found.add(new Candidate(e.path(), e.path().split("/").length, a.lastModifiedTime().toMillis()));
        return true;
      }
    });
  }

  /** ELF64 little-endian, and an executable: ET_EXEC, or ET_DYN with an interpreter (PIE, not a library). */
  static boolean isExecutableElf(Path f) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(f, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      return isExecutableElf(ch);
    }
  }

  static boolean isExecutableElf(SeekableByteChannel ch) throws IOException {
    {
      ByteBuffer h = ByteBuffer.allocate(ELF_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      while (h.hasRemaining() && ch.read(h) > 0) {
        // fill the header
      }
      if (h.position() < ELF_HEADER_BYTES) return false;
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
