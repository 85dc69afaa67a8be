package dev.sandpit.protocol;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one judge of {@code compiler_flags} and {@code compiler} for C and C++: the gateway refuses a
 * request with it, and the build worker checks the job again before it compiles (a worker never
 * trusts the queue). Flags are an allowlist of option families; everything else is refused with a
 * message that names the flag and says why. Each flag is one self-contained word: options that
 * take their argument as the next word ({@code -o x}, {@code -include x}, {@code -Xlinker x}) are
 * never accepted, so no word can smuggle a file name or a sub-tool option past the check.
 *
 * <p>Why refuse at all when the compile runs in the sandbox? Options that load code into the
 * compiler or the linker (plugins, wrappers, {@code -B}, spec files, {@code -Wl,-plugin}), read
 * more options or files from outside the project ({@code @file}, absolute include paths,
 * {@code --sysroot}) or write outside the build ({@code -o}, dumps, profiles) make a build depend
 * on things its cache key does not cover, or give the build itself more power than a program has.
 */
public final class CompilerFlags {
  private CompilerFlags() {}

  public static final int MAX_FLAGS = 64;
  public static final int MAX_FLAG_LENGTH = 256;

  /** The sanitizers a program may be built with (their runtimes work in the sandbox). */
  public static final Set<String> SANITIZERS = Set.of("address", "undefined", "leak",
      // the checks -fsanitize=undefined groups, for those who want only some
      "alignment", "bool", "bounds", "builtin", "enum", "float-cast-overflow", "float-divide-by-zero",
      "integer-divide-by-zero", "nonnull-attribute", "null", "object-size", "pointer-overflow", "return",
      "returns-nonnull-attribute", "shift", "shift-base", "shift-exponent", "signed-integer-overflow",
      "unreachable", "vla-bound", "vptr", "pointer-compare", "pointer-subtract");

  /** Harmless option families, for both languages. */
  private static final Pattern ALLOWED = Pattern.compile(String.join("|",
      // optimisation
      "-O(?:[0-3sgz]|fast)?",
      // warnings (no -Wl, -Wa, -Wp: those pass options to other tools and are refused before)
      "-w", "-pedantic(?:-errors)?", "-W(?:no-)?(?:error=)?[a-z][a-z0-9+-]*(?:=[a-z0-9+-]+)?",
      "-fmax-errors=\\d{1,4}", "-ferror-limit=\\d{1,4}", "-ftemplate-backtrace-limit=\\d{1,4}",
      "-fconcepts-diagnostics-depth=\\d{1,2}", "-fdiagnostics-show-template-tree", "-fno-elide-type",
      // debug information
      "-g", "-g[0-3]", "-ggdb[0-3]?", "-gdwarf(?:-[2-5])?", "-gline-tables-only", "-fno-omit-frame-pointer",
      "-fno-optimize-sibling-calls",
      // macros: a name, optional parameters, a value of safe characters (no space, $, `, \\, ;, <, >, |, &)
      "-D[A-Za-z_][A-Za-z0-9_]*(?:\\([A-Za-z0-9_, ]*\\))?(?:=[A-Za-z0-9_.,:+\\-*/%()=!^~\"'#@\\[\\]{}?]{0,200})?",
      "-U[A-Za-z_][A-Za-z0-9_]*",
      // code generation and language dialect switches that read or write nothing
      "-f(?:no-)?(?:exceptions|rtti|inline|inline-functions|strict-aliasing|strict-overflow|wrapv|trapv|fast-math"
          + "|unroll-loops|builtin|common|signed-char|unsigned-char|stack-protector|stack-protector-strong"
          + "|stack-protector-all|stack-clash-protection|pic|pie|PIC|PIE|lto|openmp|elide-constructors|permissive"
          + "|char8_t|threadsafe-statics|asynchronous-unwind-tables|math-errno|finite-math-only|tree-vectorize"
          + "|operator-names|access-control|coroutines|gnu-keywords|implicit-templates|trapping-math"
          + "|sanitize-address-use-after-scope|delete-null-pointer-checks|strict-enums|emit-class-debug-always)",
      "-flto=(?:auto|\\d{1,2})", "-f(?:no-)?sanitize-recover(?:=all)?",
      // linking: threads, libraries by name, portable executables
      "-pthread", "-l[A-Za-z0-9_+-][A-Za-z0-9_+.-]{0,63}", "-static", "-static-libgcc", "-static-libstdc\\+\\+",
      "-pie", "-no-pie", "-rdynamic"));

  private static final Pattern SANITIZE = Pattern.compile("-f(no-)?sanitize(-recover)?=([a-z,-]+)");
  private static final Pattern DIR_OPTION = Pattern.compile("(-I|-iquote|-isystem|-idirafter|-L)(.*)");
  private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./+-]+");
  /** Absolute directories a project may name: the toolchain's own headers and libraries. */
  private static final List<String> TOOLCHAIN_DIRS = List.of("/usr/include", "/usr/local/include", "/usr/lib", "/usr/local/lib");

  /** Whether the language takes compiler flags and a compiler choice (C and C++). */
  public static boolean cFamily(Language lang) {
    return lang.compilers() != null && !lang.compilers().isEmpty();
  }

  /**
   * Check every flag; returns them unchanged, or throws {@code invalid_field} naming the first
   * refused flag and the reason.
   */
  public static List<String> validate(Language lang, List<String> flags) {
    if (flags == null || flags.isEmpty()) return List.of();
    if (!lang.compiled()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "compiler_flags given for interpreted language " + lang.id());
    }
    if (flags.size() > MAX_FLAGS) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "more than " + MAX_FLAGS + " compiler flags");
    }
    for (String f : flags) {
      String why = refusal(lang, f);
      if (why != null) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "compiler flag '" + f + "' is not allowed for " + lang.id() + ": " + why);
      }
    }
    return List.copyOf(flags);
  }

  /** Why {@code flag} is refused for the language, or null when it is allowed. */
  public static String refusal(Language lang, String flag) {
    if (flag == null || flag.isEmpty()) return "an empty flag";
    if (!cFamily(lang)) return "only C and C++ take compiler_flags";
    if (flag.length() > MAX_FLAG_LENGTH) return "longer than " + MAX_FLAG_LENGTH + " characters";
    for (int i = 0; i < flag.length(); i++) {
      char c = flag.charAt(i);
      if (c < 0x20 || c > 0x7e) return "contains a control or non-ASCII character";
    }
    if (flag.startsWith("@")) return "@file reads more options from a file";
    if (!flag.startsWith("-")) return "not an option (the files to compile are the job's files)";
    String why = refused(flag);
    if (why != null) return why;
    Matcher dir = DIR_OPTION.matcher(flag);
    if (dir.matches()) return directory(dir.group(1), dir.group(2));
    if (flag.startsWith("-std=") || flag.equals("-ansi")) {
      // the language's standards (languages.json standards)
      Language.Standards std = lang.standards();
      if (std == null) return "the language names no standards";
      return std.pattern().matcher(flag).matches() ? null : std.refusal();
    }
    Matcher san = SANITIZE.matcher(flag);
    if (flag.startsWith("-fsanitize") || flag.startsWith("-fno-sanitize")) {
      if (flag.equals("-fsanitize-recover") || flag.equals("-fno-sanitize-recover") || flag.equals("-fsanitize-recover=all")
          || flag.equals("-fno-sanitize-recover=all") || flag.equals("-fsanitize-address-use-after-scope")
          || flag.equals("-fno-sanitize-address-use-after-scope")) {
        return null;
      }
      if (!san.matches()) return "not a sanitizer option (-fsanitize=address,undefined,leak)";
      for (String s : san.group(3).split(",")) {
        if (!SANITIZERS.contains(s)) return "sanitizer '" + s + "' is not available (address, undefined, leak and the checks of undefined)";
      }
      return null;
    }
    if (ALLOWED.matcher(flag).matches()) return null;
    return "not on the allowlist of option families (standards, -O, warnings, -g, -D/-U, sanitizers, -I/-L inside the project, "
        + "-l, -pthread; see docs/protocol.md)";
  }

  /** The families refused outright, with their reason; null when the flag is none of them. */
  private static String refused(String f) {
    if (f.startsWith("-fplugin")) return "loads a plugin into the compiler";
    if (f.startsWith("-B") || f.startsWith("--prefix") || f.equals("-no-canonical-prefixes")) {
      return "changes where the compiler finds its own programs";
    }
    if (f.startsWith("-wrapper") || f.startsWith("--wrapper")) return "runs the compiler's sub-programs through another program";
    if (f.startsWith("-specs") || f.startsWith("--specs")) return "replaces the compiler driver's spec file";
    if (f.startsWith("-o") || f.startsWith("--output")) return "the build chooses the output file";
    if (f.startsWith("-Wl,") || f.equals("-Wl") || f.startsWith("-Wa,") || f.equals("-Wa") || f.startsWith("-Wp,") || f.equals("-Wp")
        || f.startsWith("-X") || f.startsWith("--for-linker")
        || f.startsWith("-Z")) {
      return "passes options to another tool (linker, assembler, preprocessor, compiler front end), which could load code";
    }
    if (f.startsWith("--sysroot") || f.startsWith("-isysroot") || f.startsWith("-iprefix") || f.startsWith("-iwithprefix")
        || f.startsWith("-imultilib") || f.startsWith("--gcc-toolchain") || f.startsWith("-gcc-toolchain")
        || f.startsWith("-target") || f.startsWith("--target") || f.startsWith("-resource-dir") || f.startsWith("-nostdinc")
        || f.startsWith("-cxx-isystem") || f.startsWith("-iframework") || f.startsWith("-F")) {
      return "changes where the compiler finds headers, libraries or tools";
    }
    if (f.startsWith("-include") || f.startsWith("-imacros") || f.startsWith("--include")) {
      String rest = f.replaceFirst("^--?i(?:nclude|macros)=?", "");
      if (rest.startsWith("/") || rest.contains("..")) return "includes a file from outside the project";
      return "needs its file as a separate word, which compiler_flags cannot carry: #include the file instead";
    }
    if (f.startsWith("-fdump-") || f.startsWith("-save-temps") || f.startsWith("-fprofile") || f.equals("--coverage")
        || f.startsWith("-ftest-coverage") || f.startsWith("-fcoverage") || f.startsWith("-fauto-profile") || f.startsWith("-aux-info")
        || f.startsWith("-fopt-info") || f.startsWith("-fcallgraph-info") || f.startsWith("-fstack-usage") || f.startsWith("-fdebug-prefix-map")
        || f.startsWith("-ffile-prefix-map") || f.startsWith("-fmacro-prefix-map") || f.startsWith("-gsplit-dwarf") || f.startsWith("-fcs-profile")
        || f.startsWith("-ftime-trace") || f.startsWith("-fproc-stat-report") || f.startsWith("-fcrash-diagnostics") || f.startsWith("-frandom-seed")) {
      return "writes extra files (dumps, profiles, temporaries) outside the build, or depends on paths outside it";
    }
    if (f.startsWith("-fuse-ld") || f.startsWith("--ld-path") || f.startsWith("-fld-path")) return "chooses the linker program";
    if (f.equals("-march=native") || f.equals("-mtune=native") || f.equals("-mcpu=native")) {
      return "builds are cached and shared, and programs may run on another machine: native CPU code could crash there";
    }
    if (f.startsWith("-m")) return "target options are not allowed (programs run on other machines; the 32-bit ABI is blocked)";
    if (f.equals("-E") || f.equals("-S") || f.equals("-c") || f.startsWith("-M") || f.equals("-fsyntax-only") || f.equals("-shared")
        || f.equals("-r") || f.startsWith("-nostdlib") || f.equals("-nostartfiles") || f.equals("-nodefaultlibs") || f.startsWith("-x")
        || f.equals("-emit-llvm") || f.equals("-P") || f.equals("-C") || f.equals("-CC") || f.equals("-H")) {
      return "the build decides what it produces (a program)";
    }
    if (f.startsWith("-print") || f.startsWith("-dump") || f.startsWith("--print") || f.equals("--help") || f.startsWith("--help=")
        || f.equals("--version") || f.equals("-###") || f.equals("-v") || f.equals("--verbose") || f.startsWith("-d")) {
      return "prints compiler information instead of building";
    }
    if (f.startsWith("--param") || f.startsWith("-ftemplate-depth") || f.startsWith("-fconstexpr-") || f.startsWith("-fbracket-depth")
        || f.startsWith("-fmacro-backtrace-limit") || f.startsWith("-finline-limit")) {
      return "changes the compiler's internal limits";
    }
    if (f.startsWith("-fdiagnostics") || f.startsWith("-fno-diagnostics") || f.startsWith("-fcolor-diagnostics")
        || f.startsWith("-fno-color-diagnostics") || f.startsWith("-fmessage-length")) {
      return "Sandpit sets the diagnostics format it parses";
    }
    return null;
  }

  private static String directory(String option, String dir) {
    if (dir.isEmpty()) return option + " needs its directory in the same word (" + option + "include)";
    if (!SAFE_PATH.matcher(dir).matches()) return "the directory contains characters other than letters, digits and _ . / + -";
    for (String part : dir.split("/")) {
      if (part.equals("..")) return "'..' leaves the project";
    }
    if (dir.startsWith("/")) {
      for (String t : TOOLCHAIN_DIRS) {
        if (dir.equals(t) || dir.startsWith(t + "/")) return null;
      }
      return "names a directory outside the project and the toolchain (relative paths are the project's)";
    }
    return null;
  }

  /** The sanitizers the flags turn on (the last -fsanitize/-fno-sanitize of each wins). */
  public static Set<String> sanitizers(List<String> flags) {
    Set<String> on = new LinkedHashSet<>();
    if (flags == null) return on;
    for (String f : flags) {
      Matcher m = SANITIZE.matcher(f);
      if (!m.matches() || m.group(2) != null) continue;
      for (String s : m.group(3).split(",")) {
        if (m.group(1) == null) on.add(s);
        else on.remove(s);
      }
    }
    return on;
  }

  /**
   * The compiler a request chose (null: the language's default); throws {@code invalid_field} for
   * a name the language does not have, or a compiler given for a language without a choice.
   */
  public static Language.CompilerVariant compiler(Language lang, String name) {
    if (!cFamily(lang)) {
      if (name == null) return null;
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "compiler '" + name + "' given for " + lang.id()
          + ": only C and C++ have a choice of compiler");
    }
    Language.CompilerVariant c = lang.compiler(name);
    if (c == null) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "compiler '" + name + "' is not available for " + lang.id() + " ("
          + String.join(", ", lang.compilers().stream().map(Language.CompilerVariant::id).toList()) + ")");
    }
    return c;
  }
}
