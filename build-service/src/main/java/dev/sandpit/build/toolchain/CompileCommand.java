package dev.sandpit.build.toolchain;

import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The translation units of a build, and the run arguments a build decides. */
public final class CompileCommand {
  private CompileCommand() {}

  /** The single-command compile with the language's default compiler (see {@link BuildPlan} for the rest). */
  public static List<String> argv(Language lang, List<SourceFile> files, List<String> flags) {
    return BuildPlan.of(lang, lang.compiler(null), files, flags, 1).argv();
  }

  /** The translation units among the files (languages.json {@code sourceExtensions}), the main file when none. */
  public static List<String> sources(Language lang, List<SourceFile> files) {
    Set<String> ext = lang.sourceExtensions() != null ? Set.copyOf(lang.sourceExtensions()) : Set.of();
    List<String> out = new ArrayList<>();
    for (SourceFile f : files) {
      String n = f.name();
      int dot = n.lastIndexOf('.');
      if (dot > 0 && ext.contains(n.substring(dot))) out.add(n);
    }
    if (out.isEmpty()) out.add(files.get(0).name());
    return out;
  }

  /** Run arguments the build decides (languages.json {@code runArgs}; Java: the main class, from the main file's name), or null. */
  public static List<String> runArgs(Language lang, List<SourceFile> files) {
    return lang.runArgs(files.get(0).name());
  }
}
