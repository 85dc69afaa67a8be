package dev.sandpit.build.toolchain;

import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.SourceFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one build runs in its sandbox: one command line (the sandbox execs exactly one), its
 * environment and stdin.
 *
 * <ul>
 *   <li>{@link Kind#SINGLE}: one translation unit, or a language that compiles all its files in one
 *       go (Rust, Go, Java): the language's {@code compile} template.
 *   <li>{@link Kind#UNITS}: several C/C++ translation units: a makefile generated here and given to
 *       {@code make -f - -jN} on stdin compiles each unit to an object in /tmp, in parallel, then
 *       links them ({@code compileObject} and {@code link} templates). {@code --output-sync} keeps
 *       each compiler's messages together.
 *   <li>{@link Kind#PROJECT}: the files hold a {@code CMakeLists.txt} or a {@code Makefile}: the
 *       project's build command ({@code projects} of languages.json), with the chosen compiler in
 *       CC/CXX and the flags in CFLAGS/CXXFLAGS ({@code projectEnv}; a Makefile that sets its own
 *       CFLAGS keeps them).
 *       The program is found afterwards ({@link TargetFinder}).
 * </ul>
 */
public record BuildPlan(Kind kind, List<String> argv, Map<String, String> env, String stdin, Language.Project project,
    int units, int jobs) {

  public enum Kind { SINGLE, UNITS, PROJECT }

  /** Where the objects of a {@link Kind#UNITS} build go (the sandbox's private /tmp). */
  static final String OBJECT_DIR = "/tmp/sandpit-obj";
  /** How much of a source's name an object's name keeps. */
  static final int MAX_OBJECT_NAME_CHARS = 40;

  /**
   * @param compiler the chosen compiler (null for languages without a choice)
   * @param flags validated client flags
   * @param jobs how many compilers may run at once
   */
  public static BuildPlan of(Language lang, Language.CompilerVariant compiler, List<SourceFile> files, List<String> flags,
      int jobs) {
    List<String> own = compiler == null || compiler.flags() == null ? List.of() : compiler.flags();
    List<String> libs = flags.stream().filter(f -> f.startsWith("-l")).toList();
    List<String> rest = flags.stream().filter(f -> !f.startsWith("-l")).toList();
    List<String> allFlags = new ArrayList<>(own);
    allFlags.addAll(rest);
    Map<String, String> env = new LinkedHashMap<>();
    if (lang.compileEnv() != null) env.putAll(lang.compileEnv());
    if (compiler != null && compiler.env() != null) env.putAll(compiler.env());

    Language.Project project = lang.project(files);
    if (project != null) {
      // the language's flags variable gets every flag, the other one the compiler's own (languages.json projectEnv)
      String mine = String.join(" ", allFlags);
      String base = String.join(" ", own);
      if (lang.projectEnv() != null) {
        lang.projectEnv().forEach((k, v) -> env.put(k, v.replace("{own_flags}", base).replace("{flags}", mine)));
      }
      if (!libs.isEmpty()) {
        env.put("LDLIBS", String.join(" ", libs)); // make's built-in link rule
        env.put("LDFLAGS", String.join(" ", libs)); // CMake's initial CMAKE_EXE_LINKER_FLAGS
      }
      List<String> argv = new ArrayList<>();
      for (String t : project.build()) argv.add(t.replace("{jobs}", Integer.toString(jobs)));
      return new BuildPlan(Kind.PROJECT, argv, env, "", project, 0, jobs);
    }

    List<String> sources = CompileCommand.sources(lang, files);
    if (sources.size() > 1 && lang.compileObject() != null && lang.link() != null && makeProgram(lang) != null) {
      int j = Math.max(1, Math.min(jobs, sources.size()));
      List<String> objects = new ArrayList<>();
      StringBuilder mk = new StringBuilder();
      mk.append(".SUFFIXES:\n.DELETE_ON_ERROR:\n.PHONY: all\nall: main\n");
      for (int i = 0; i < sources.size(); i++) objects.add(OBJECT_DIR + "/" + objectName(i, sources.get(i)));
      mk.append("main:");
      for (String o : objects) mk.append(' ').append(o);
      mk.append('\n');
      mk.append('\t').append(recipe(expand(lang.link(), compiler, allFlags, libs, Map.of("{objects}", objects)))).append('\n');
      for (int i = 0; i < sources.size(); i++) {
        mk.append(objects.get(i)).append(":\n");
        mk.append("\t@mkdir -p ").append(OBJECT_DIR).append(" && ")
            .append(recipe(expand(lang.compileObject(), compiler, allFlags, libs,
                Map.of("{source}", List.of(sources.get(i)), "{object}", List.of(objects.get(i))))))
            .append('\n');
      }
      // -k: every unit is compiled even when one fails, so the editor gets every unit's errors at once
      List<String> argv = List.of(makeProgram(lang), "-s", "-k", "-f", "-", "-j" + j, "--output-sync=target", "all");
      return new BuildPlan(Kind.UNITS, argv, env, mk.toString(), null, sources.size(), j);
    }
    List<String> argv = expand(lang.compile(), compiler, allFlags, libs,
        Map.of("{sources}", sources, "{main}", List.of(files.get(0).name())));
    return new BuildPlan(Kind.SINGLE, argv, env, "", null, sources.size(), 1);
  }

  /** The make program of the language's make project kind (languages.json), or null. */
  static String makeProgram(Language lang) {
    if (lang.projects() == null) return null;
    for (Language.Project p : lang.projects()) {
      if (p.kind().equals("make") && !p.build().isEmpty()) return p.build().get(0);
    }
    return null;
  }

  /** Expand a command template: the compiler replaces the first word; {flags}, {libs} and the given lists. */
  static List<String> expand(List<String> template, Language.CompilerVariant compiler, List<String> flags, List<String> libs,
      Map<String, List<String>> lists) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < template.size(); i++) {
      String t = template.get(i);
      if (i == 0 && compiler != null) {
        out.add(compiler.path());
        continue;
      }
      switch (t) {
        case "{flags}" -> out.addAll(flags);
        case "{libs}" -> out.addAll(libs);
        default -> {
          List<String> l = lists.get(t);
          if (l != null) out.addAll(l);
          else if (!t.startsWith("{")) out.add(t);
        }
      }
    }
    return out;
  }

  /** An object's name: its index (unique) and a readable rest of the source's name. */
  static String objectName(int i, String source) {
    String base = source.replaceAll("[^A-Za-z0-9_.+-]", "_");
    int dot = base.lastIndexOf('.');
    if (dot > 0) base = base.substring(0, dot);
    if (base.length() > MAX_OBJECT_NAME_CHARS) base = base.substring(0, MAX_OBJECT_NAME_CHARS);
    return i + "-" + base + ".o";
  }

  /** One recipe line: every word single-quoted for the shell, every $ doubled for make. */
  static String recipe(List<String> argv) {
    StringBuilder sb = new StringBuilder();
    for (String a : argv) {
      if (sb.length() > 0) sb.append(' ');
      sb.append('\'').append(a.replace("'", "'\\''").replace("$", "$$")).append('\'');
    }
    return sb.toString();
  }
}
