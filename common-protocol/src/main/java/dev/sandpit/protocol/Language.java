package dev.sandpit.protocol;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A language runtime, described as data in {@code languages.json} (Piston's "runtimes are
 * data"): how to compile it (if at all), how to run it, how to read its version.
 *
 * @param id wire name
 * @param aliases other accepted names
 * @param main default name of the main source file
 * @param compile compile command (null for interpreted languages); {@code {sources}} expands to
 *     every source file, {@code {flags}} to the compiler's own flags and the validated compiler
 *     flags, {@code {libs}} to the {@code -l} flags among them. Its first word is the default
 *     compiler; a {@link CompilerVariant} replaces it.
 * @param artifacts glob patterns of files the build hands to the executor
 * @param run run command; {@code {main}} is the main file, {@code {class}} the first of the run
 *     arguments the build decided ({@code runArgs}; {@code Main} when there are none)
 * @param env environment of the run
 * @param compileEnv environment of the compile
 * @param version command that prints the toolchain version
 * @param runtimeCheck command whose success proves an executor can run the artifacts
 * @param compileObject for projects of several translation units: the command compiling one of
 *     them ({@code {source}}) to an object ({@code {object}}); null when the language has none
 * @param link the command linking the objects ({@code {objects}}) into the program
 * @param sourceExtensions file name endings of the language's source files, for every language;
 *     for a compiled one the translation units ({@code {sources}})
 * @param compilers the compilers a client may choose ({@code compiler} of {@code execute}); the
 *     first is the default
 * @param projects build systems recognised by a marker file at the top of the workspace
 *     (CMake, make), tried in order
 * @param mainFromCode how code sent on its own names its main file (Java: after its public class);
 *     null when it is always {@code main}
 * @param entryPattern what a source file of the language holds when it is a program's entry point
 *     (Java: a {@code static void main(}), found anywhere in the file; null when any source file
 *     of the language can be one
 * @param runArgs run arguments a build decides, handed to the executor ({@code {class}} of
 *     {@code run}); {@code {main_stem}} is the main file's name without its directories and
 *     without a source extension ({@code Hello} for {@code src/Hello.java}); null when the build
 *     decides none
 * @param projectEnv for {@code projects}: environment the build tool gets besides the compiler's;
 *     {@code {flags}} is the compiler's own flags and the validated client flags, {@code {own_flags}}
 *     the compiler's own flags only (C's flags go in CFLAGS, C++'s in CXXFLAGS)
 * @param standards the {@code -std=} (and {@code -ansi}) flags of the language the flag allowlist
 *     accepts; null when it accepts none
 */
public record Language(
    String id,
    String display,
    List<String> aliases,
    String main,
    List<String> compile,
    List<String> artifacts,
    List<String> run,
    Map<String, String> env,
    Map<String, String> compileEnv,
    List<String> version,
    List<String> runtimeCheck,
    List<String> compileObject,
    List<String> link,
    List<String> sourceExtensions,
    List<CompilerVariant> compilers,
    List<Project> projects,
    MainFromCode mainFromCode,
    Pattern entryPattern,
    List<String> runArgs,
    Map<String, String> projectEnv,
    Standards standards) {

  public boolean compiled() {
    return compile != null && !compile.isEmpty();
  }

  /**
   * A compiler of the language.
   *
   * @param id wire name ({@code gcc}, {@code clang}, {@code g++}, {@code clang++})
   * @param aliases other accepted names
   * @param path the compiler program, replacing the first word of the compile commands
   * @param version command that prints its version (part of the build cache key)
   * @param flags flags it always gets, before the client's: plain-text diagnostics the parser reads
   *     (no colour, byte columns, machine-readable fix-its)
   * @param env environment of a compile with it (CC and CXX for make and CMake projects)
   */
  public record CompilerVariant(String id, List<String> aliases, String path, List<String> version, List<String> flags,
      Map<String, String> env) {}

  /**
   * A build system.
   *
   * @param kind {@code cmake}, {@code make}
   * @param markers file names at the top of the workspace that make the files such a project
   * @param build the build command; {@code {jobs}} is the number of parallel compile jobs
   * @param version command that prints the build tool's version (part of the build cache key)
   * @param outputDir where the program is searched for after the build (relative; "." = the
   *     whole workspace)
   */
  public record Project(String kind, List<String> markers, List<String> build, List<String> version, String outputDir) {}

  /**
   * How code sent on its own names its main file.
   *
   * @param pattern searched for in the code
   * @param name the main file's name when the pattern is found; {@code {1}}, {@code {2}} … are
   *     the pattern's groups
   */
  public record MainFromCode(Pattern pattern, String name) {
    /** The name, its group references replaced by what the match found. */
    String name(Matcher m) {
      String out = name;
      for (int g = m.groupCount(); g >= 1; g--) out = out.replace("{" + g + "}", m.group(g));
      return out;
    }
  }

  /**
   * The standards a language's {@code -std=} flag may name.
   *
   * @param pattern the whole flag matches it
   * @param refusal why a {@code -std=} or {@code -ansi} flag that does not match is refused
   */
  public record Standards(Pattern pattern, String refusal) {}

  /** The main file's name for code sent on its own: {@code mainFromCode} when the code matches, else {@code main}. */
  public String mainName(String code) {
    if (mainFromCode != null && code != null) {
      Matcher m = mainFromCode.pattern().matcher(code);
      if (m.find()) return mainFromCode.name(m);
    }
    return main;
  }

  /** Whether a source file's text makes it an entry point ({@code entryPattern}; any text when there is none). */
  public boolean hasEntry(String content) {
    return entryPattern == null || entryPattern.matcher(content).find();
  }

  /** The run arguments the build decides for this main file ({@code runArgs} expanded), or null. */
  public List<String> runArgs(String mainFile) {
    if (runArgs == null) return null;
    String stem = mainFile.substring(mainFile.lastIndexOf('/') + 1);
    if (sourceExtensions != null) {
      for (String ext : sourceExtensions) {
        if (stem.endsWith(ext)) {
          stem = stem.substring(0, stem.length() - ext.length());
          break;
        }
      }
    }
    String s = stem;
    return runArgs.stream().map(t -> t.replace("{main_stem}", s)).toList();
  }

  /**
   * The compiler called {@code name} (wire name or alias, case-insensitive), the default one for
   * null; null when the language has no such compiler.
   */
  public CompilerVariant compiler(String name) {
    if (compilers == null || compilers.isEmpty()) return null;
    if (name == null) return compilers.get(0);
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (CompilerVariant c : compilers) {
      if (c.id().equals(n) || (c.aliases() != null && c.aliases().contains(n))) return c;
    }
    return null;
  }

  /** The project kind the files make (first matching marker at the top level), or null. */
  public Project project(List<SourceFile> files) {
    if (projects == null || files == null) return null;
    for (Project p : projects) {
      for (SourceFile f : files) {
        if (p.markers().contains(f.name())) return p;
      }
    }
    return null;
  }
}
