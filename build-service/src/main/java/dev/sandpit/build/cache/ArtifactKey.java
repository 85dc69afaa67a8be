package dev.sandpit.build.cache;

import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.SourceFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/** Content address of a build: compiler and its version, flags, every input file. */
public final class ArtifactKey {
  private ArtifactKey() {}

  /**
   * The key of a C/C++ (or any) build: everything that decides the program — the language's
   * command templates, the compiler (name, program, own flags) and its version, the build tool
   * of a make/CMake project and its version, the client's flags, every file.
   */
  public static String of(Language lang, Language.CompilerVariant compiler, String compilerVersion, Language.Project project,
      String projectVersion, List<String> flags, List<SourceFile> files) {
    List<String> command = new ArrayList<>(lang.compile());
    if (lang.compileObject() != null) {
      command.add("--object--");
      command.addAll(lang.compileObject());
    }
    if (lang.link() != null) {
      command.add("--link--");
      command.addAll(lang.link());
    }
    if (compiler != null) {
      command.add("--compiler--");
      command.add(compiler.id());
      command.add(compiler.path());
      if (compiler.flags() != null) command.addAll(compiler.flags());
    }
    String version = compilerVersion == null ? "" : compilerVersion;
    if (project != null) {
      command.add("--project--");
      command.add(project.kind());
      command.addAll(project.build());
      version = version + " | " + project.kind() + " " + (projectVersion == null ? "" : projectVersion);
    }
    return of(lang.id(), version, command, flags, files);
  }

  public static String of(String language, String toolchainVersion, List<String> compileCommand, List<String> flags,
      List<SourceFile> files) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      field(d, "sandpit-build-v1");
      field(d, language);
      field(d, toolchainVersion);
      for (String c : compileCommand) field(d, c);
      field(d, "--flags--");
      for (String f : flags) field(d, f);
      List<SourceFile> sorted = new ArrayList<>(files);
      sorted.sort(Comparator.comparing(SourceFile::name));
      field(d, sorted.isEmpty() ? "" : files.get(0).name()); // which one is main matters
      for (SourceFile f : sorted) {
        field(d, f.name());
        field(d, String.valueOf(f.encoding()));
        field(d, f.content());
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void field(MessageDigest d, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
    d.update((byte) ':');
    d.update(b);
  }
}
