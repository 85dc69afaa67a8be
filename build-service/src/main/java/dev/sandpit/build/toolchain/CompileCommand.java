package dev.sandpit.build.toolchain;

import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The translation units of a build, and the run arguments a build decides. */
public final class CompileCommand {
  private CompileCommand() {}

  private static final java.util.Map<String, Set<String>> SOURCE_EXT = java.util.Map.of(
      "c", Set.of(".c"),
      "cpp", Set.of(".cpp", ".cc", ".cxx", ".c++", ".C"),
      "go", Set.of(".go"),
      "java", Set.of(".java"),
      "rust", Set.of(".rs"));

  /** The single-command compile with the language's default compiler (see {@link BuildPlan} for the rest). */
  public static List<String> argv(Language lang, List<SourceFile> files, List<String> flags) {
    return BuildPlan.of(lang, lang.compiler(null), files, flags, 1).argv();
  }

  /** The translation units among the files (languages.json {@code sourceExtensions}), the main file when none. */
  public static List<String> sources(Language lang, List<SourceFile> files) {
    Set<String> ext = lang.sourceExtensions() != null ? Set.copyOf(lang.sourceExtensions()) : SOURCE_EXT.getOrDefault(lang.id(), Set.of());
    List<String> out = new ArrayList<>();
    for (SourceFile f : files) {
      String n = f.name();
      int dot = n.lastIndexOf('.');
      if (dot > 0 && ext.contains(n.substring(dot))) out.add(n);
    }
    if (out.isEmpty()) out.add(files.get(0).name());
    return out;
  }

  /** Run arguments the build decides: the Java main class (from the main file's name). */
  public static List<String> runArgs(Language lang, List<SourceFile> files) {
    if (!lang.id().equals("java")) return null;
    String main = files.get(0).name();
    int slash = main.lastIndexOf('/');
    String base = main.substring(slash + 1);
    return List.of(base.endsWith(".java") ? base.substring(0, base.length() - 5) : base);
  }
}
