package dev.sandpit.build.diagnostics;

import dev.sandpit.protocol.Diagnostic;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses compiler output into diagnostics an editor can mark, from the compilers' plain-text
 * format: gcc and clang ({@code file:line:col: severity: message}, the source excerpt and caret
 * line under it, {@code fix-it:} lines of {@code -fdiagnostics-parseable-fixits}, {@code In file
 * included from} chains, template backtraces), GNU ld ({@code undefined reference}, {@code
 * multiple definition}, {@code cannot find -l}), make and CMake errors, Go ({@code
 * file:line:col: message}), javac ({@code File.java:line: error: message}) and rustc ({@code
 * error[E0425]: message} followed by {@code --> file:line:col}).
 *
 * <p>Why text and not gcc's {@code -fdiagnostics-format=json}: gcc 12's JSON drops the include
 * chain and the template instantiation backtrace (its {@code children} are only the notes), clang
 * 14 has neither JSON nor SARIF, the linker, make and CMake only speak text, a make or CMake
 * project may set its own flags, and the raw output a person reads in the compile event would be
 * JSON. So both compilers print text, and Sandpit's own flags make it regular: no colour,
 * gcc's columns in bytes as clang's are (not display columns, which count a tab as up to 8),
 * and fix-its in the stable machine form both compilers share.
 *
 * <p>Result: the flat list of every message in output order (notes and context included, as
 * earlier clients expect), where each error and warning also carries its {@code notes}: the
 * context printed before it (include chain, {@code In instantiation of}, {@code required from})
 * and the notes printed after it. Columns are converted from bytes to UTF-16 code units (what
 * browser editors count) for files whose text is known; the end column comes from the {@code
 * ^~~~} under the excerpt.
 */
public final class DiagnosticParser {
  private DiagnosticParser() {}

  /** At most this many diagnostics (flat), and notes per error: a template avalanche is capped. */
  public static final int MAX_DIAGNOSTICS = 500;
  public static final int MAX_NOTES = 64;
  /** A CMake message's continuation lines are joined up to this length. */
  static final int MAX_CMAKE_MESSAGE_CHARS = 2000;
  static final int MAX_FIXITS = 16;

  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[mK]");
  /**
   * The part after the file of {@code file:line[:col]: severity: message} (gcc, clang, javac): found
   * with find(), the file is what precedes it (it may hold spaces and colons). No repeated group: a
   * long line of colons (C++ names) must not cost a stack frame per colon.
   */
  private static final Pattern LOCATED_TAIL = Pattern.compile(":(\\d+):(?:(\\d+):)? (fatal error|error|warning|note|remark): ");
  /** Lines longer than this are kept in the output but not parsed (no diagnostic header is that long). */
  static final int MAX_LINE = 64 * 1024;
  /** file:line[:col]: message without severity: gcc's template context (indented), Go, ld with debug info. */
  private static final Pattern BARE = Pattern.compile("^(?<file>[^\\s:][^:]*):(?<line>\\d+):(?:(?<col>\\d+):)?(?<msg>\\s.*)$");
  private static final Pattern INCLUDED = Pattern.compile("^(?:In file included from|\\s+from) (?<file>.+?):(?<line>\\d+)(?::(?<col>\\d+))?[,:]$");
  private static final Pattern SCOPE = Pattern.compile("^(?<file>[^:]+): (?<ctx>In (?:instantiation|substitution) of .*):$");
  private static final Pattern SCOPE_OTHER = Pattern.compile("^[^:]+: (?:In .*|At global scope|At top level):$");
  private static final Pattern TOOL = Pattern.compile(
      "^(?:\\S*/)?(?<tool>gcc|g\\+\\+|cc|c\\+\\+|cc1|cc1plus|clang|clang\\+\\+|clang-\\d+|collect2|lto-wrapper|lto1|as|ld)(?:-\\d+)?: "
          + "(?<sev>fatal error|error|warning|note): (?<msg>.*)$");
  private static final Pattern LD = Pattern.compile("^(?:\\S*/)?(?:ld|ld\\.bfd|ld\\.gold|ld\\.lld|ld64\\.lld)(?:\\.\\w+)?: (?<rest>.*)$");
  private static final Pattern LD_IN_FUNCTION = Pattern.compile("^(?<obj>.*?): in function [`'‘](?<fn>.+)['’]:$");
  /** obj:(section+off): message, or obj:file:line: message (objects with debug information). */
  private static final Pattern LD_AT = Pattern.compile(
      "^(?<obj>[^:]*?):(?:\\((?<sec>[^)]*)\\)|(?<file>[^:]+):(?<line>\\d+)): (?:(?<sev>warning|error): )?(?<msg>.*)$");
  /** file:(.text+0x5): undefined reference to `f' — ld names the source file of an object without debug information. */
  private static final Pattern SOURCE_SECTION = Pattern.compile("^(?<file>[^\\s:][^:]*):\\((?<sec>[^)]*)\\): (?<msg>.*)$");
  private static final Pattern MAKE = Pattern.compile("^(?:\\S*/)?g?make(?:\\[\\d+\\])?: \\*\\*\\* (?<msg>.*)$");
  private static final Pattern MAKE_AT = Pattern.compile("^(?<file>[^:\\s]+):(?<line>\\d+): \\*\\*\\* (?<msg>.*)$");
  private static final Pattern MAKE_SUMMARY = Pattern.compile("^\\[.*\\] Error \\d+$|^\\[.*\\] Killed$|.*Waiting for unfinished jobs.*");
  private static final Pattern CMAKE_AT = Pattern.compile(
      "^CMake (?<sev>Error|Warning|Deprecation Warning)(?: \\(dev\\))? (?:at|in) (?<file>[^:]+?)(?::(?<line>\\d+))?(?: \\((?<cmd>[^)]*)\\))?:$");
  private static final Pattern CMAKE_PLAIN = Pattern.compile("^CMake (?<sev>Error|Warning)(?: \\(dev\\))?: (?<msg>.+)$");
  private static final Pattern FIXIT = Pattern.compile(
      "^fix-it:\"(?<file>.*?)\":\\{(?<l1>\\d+):(?<c1>\\d+)-(?<l2>\\d+):(?<c2>\\d+)\\}:\"(?<text>.*)\"$");
  private static final Pattern MARKS = Pattern.compile("[ ~^]+");
  private static final Pattern GUTTER_SOURCE = Pattern.compile("^\\s*\\d+ \\| ?(?<text>.*)$");
  private static final Pattern GUTTER_MARKS = Pattern.compile("^\\s+\\| ?(?<text>.*)$");
  private static final Pattern OPTION = Pattern.compile("\\[(?<opt>-W[^\\]\\s]+|-f[^\\]\\s]+|-pedantic[^\\]\\s]*)\\]$");
  private static final Pattern RUST_HEAD = Pattern.compile("^(error|warning)(?:\\[\\w+\\])?: (.*)$");
  private static final Pattern RUST_AT = Pattern.compile("^\\s*--> (?:\\./)?([^:]+):(\\d+):(\\d+)$");
  /** Where the sandboxes mount the workspace: paths under it are shown relative. */
  private static final List<String> WORKSPACE_ROOTS = List.of("/work/", "/home/sandbox/");

  /** One diagnostic while it is being read (notes, fix-its and the range arrive after its header). */
  private static final class B {
    String file;
    Integer line;
    Integer column;
    Integer endColumn;
    String severity;
    String message;
    String option;
    boolean context;
    final List<B> notes = new ArrayList<>();
    final List<Diagnostic.FixIt> fixits = new ArrayList<>();
    Diagnostic built;

    B(String file, Integer line, Integer column, String severity, String message) {
      this.file = file;
      this.line = line;
      this.column = column;
      this.severity = severity;
      this.message = message;
    }

    Diagnostic build() {
      if (built == null) {
        List<Diagnostic> n = notes.isEmpty() ? null : notes.stream().map(B::build).toList();
        built = new Diagnostic(file, line, column, endColumn, severity, message, option, n,
            fixits.isEmpty() ? null : List.copyOf(fixits));
      }
      return built;
    }
  }

  public static List<Diagnostic> parse(String output) {
    return parse(output, Map.of());
  }

  /**
   * @param sources the job's text files by workspace path: their columns are converted from the
   *     compilers' bytes to UTF-16 code units
   */
  public static List<Diagnostic> parse(String output, Map<String, String> sources) {
    return new Run(sources).parse(output);
  }

  /** The output for people: Sandpit's machine-readable fix-it lines removed (they are in the diagnostics). */
  public static String humanOutput(String output) {
    if (output.indexOf("fix-it:\"") < 0) return output;
    StringBuilder sb = new StringBuilder(output.length());
    for (String line : output.split("(?<=\n)")) {
      if (!line.startsWith("fix-it:\"")) sb.append(line);
    }
    return sb.toString();
  }

  private static final class Run {
    final Map<String, String> sources;
    final List<B> flat = new ArrayList<>();
    final List<B> pendingContext = new ArrayList<>();
    B primary;
    B last;
    String linkerFunction;
    // the excerpt under the last located diagnostic: 0 = none expected, 1 = source next, 2 = marks next
    B excerptOf;
    int excerptStage;
    boolean gutter;
    String excerpt;
    // rustc: a header waits for its --> line
    String rustSeverity;
    String rustMessage;
    // CMake: a message spans the indented lines after its header
    B cmake;

    Run(Map<String, String> sources) {
      this.sources = sources == null ? Map.of() : sources;
    }

    /** The line after the current one (a clang excerpt is recognised by the caret line under it). */
    String next;

    List<Diagnostic> parse(String output) {
      String[] lines = output.split("\r?\n");
      for (int i = 0; i < lines.length; i++) lines[i] = lines[i].indexOf('\u001B') >= 0 ? ANSI.matcher(lines[i]).replaceAll("") : lines[i];
      for (int i = 0; i < lines.length && flat.size() < MAX_DIAGNOSTICS; i++) {
        next = i + 1 < lines.length ? lines[i + 1] : null;
        if (lines[i].length() > MAX_LINE) continue;
        try {
          line(lines[i]);
        } catch (RuntimeException | StackOverflowError e) {
          // a line no pattern foresaw: it stays in the raw output, the others are still parsed
        }
      }
      finishCmake();
      return flat.stream().map(B::build).toList();
    }

    private void line(String line) {
      if (cmake != null) {
        if (line.startsWith("  ") || line.isEmpty()) {
          String t = line.trim();
          if (!t.isEmpty() && cmake.message.length() < MAX_CMAKE_MESSAGE_CHARS) cmake.message = cmake.message.isEmpty() ? t : cmake.message + " " + t;
          return;
        }
        finishCmake();
      }
      if (excerptStage > 0 && excerpt(line)) return;
      excerptStage = 0;
      Matcher m;
      if ((m = FIXIT.matcher(line)).matches()) {
        fixit(m);
        return;
      }
      if ((m = RUST_HEAD.matcher(line)).matches()) {
        rustSeverity = m.group(1);
        rustMessage = m.group(2);
        return;
      }
      if (rustSeverity != null && (m = RUST_AT.matcher(line)).matches()) {
        primary(new B(path(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), rustSeverity, rustMessage), false);
        rustSeverity = null;
        return;
      }
      if ((m = INCLUDED.matcher(line)).matches()) {
        B c = new B(path(m.group("file")), Integer.parseInt(m.group("line")), integer(m.group("col")), "note", "included from here");
        c.context = true;
        pendingContext.add(c);
        return;
      }
      if ((m = SCOPE.matcher(line)).matches()) {
        B c = new B(path(m.group("file")), null, null, "note", m.group("ctx"));
        c.context = true;
        pendingContext.add(c);
        return;
      }
      if (SCOPE_OTHER.matcher(line).matches()) return; // "In function 'main':" says nothing a marker needs
      if ((m = LOCATED_TAIL.matcher(line)).find() && m.start() > 0 && !Character.isWhitespace(line.charAt(0))
          && line.charAt(0) != ':' && looksLikeSource(line.substring(0, m.start()))) {
        String sev = m.group(3);
        B d = new B(path(line.substring(0, m.start())), Integer.parseInt(m.group(1)), integer(m.group(2)),
            sev.equals("fatal error") ? "error" : sev.equals("remark") ? "note" : sev, line.substring(m.end()).trim());
        option(d);
        if (d.severity.equals("note")) note(d);
        else primary(d, true);
        expectExcerpt(d);
        return;
      }
      if ((m = TOOL.matcher(line)).matches()) {
        String msg = m.group("msg").trim();
        if (msg.matches("ld returned \\d+ exit status|linker command failed with exit code \\d+.*")) return; // the errors came before
        String sev = m.group("sev");
        B d = new B(null, null, null, sev.equals("fatal error") ? "error" : sev, msg);
        if (d.severity.equals("note")) note(d);
        else primary(d, true);
        return;
      }
      if ((m = LD.matcher(line)).matches()) {
        linker(m.group("rest"));
        return;
      }
      if ((m = SOURCE_SECTION.matcher(line)).matches() && looksLikeSource(m.group("file"))) {
        B d = new B(path(m.group("file")), null, null, "error", m.group("msg").trim());
        linkerContext(d);
        primary(d, true);
        return;
      }
      if ((m = MAKE_AT.matcher(line)).matches()) {
        primary(new B(path(m.group("file")), Integer.parseInt(m.group("line")), null, "error", m.group("msg").trim()), true);
        return;
      }
      if ((m = MAKE.matcher(line)).matches()) {
        if (!MAKE_SUMMARY.matcher(m.group("msg")).matches()) primary(new B(null, null, null, "error", m.group("msg").trim()), true);
        return;
      }
      if ((m = CMAKE_AT.matcher(line)).matches()) {
        cmake = new B(path(m.group("file")), integer(m.group("line")), null, m.group("sev").equals("Error") ? "error" : "warning", "");
        return;
      }
      if ((m = CMAKE_PLAIN.matcher(line)).matches()) {
        primary(new B(null, null, null, m.group("sev").equals("Error") ? "error" : "warning", m.group("msg").trim()), true);
        return;
      }
      if ((m = BARE.matcher(line)).matches() && looksLikeSource(m.group("file"))) {
        String msg = m.group("msg");
        B d = new B(path(m.group("file")), Integer.parseInt(m.group("line")), integer(m.group("col")), "error", msg.trim());
        if (msg.startsWith("   ") && d.column != null) {
          // gcc's instantiation backtrace: "file:3:54:   required from ..." belongs to the next error
          d.severity = "note";
          d.context = true;
          pendingContext.add(d);
          return;
        }
        if (linkerFunction != null) linkerContext(d); // ld with debug information: file:line: undefined reference
        primary(d, true);
        expectExcerpt(d);
      }
    }

    private void linker(String rest) {
      Matcher m;
      if ((m = LD_IN_FUNCTION.matcher(rest)).matches()) {
        linkerFunction = m.group("fn");
        return;
      }
      if ((m = LD_AT.matcher(rest)).matches() && !m.group("msg").isEmpty()) {
        String file = m.group("file") == null ? null : path(m.group("file"));
        B d = new B(file, integer(m.group("line")), null, m.group("sev") == null ? "error" : m.group("sev"), m.group("msg").trim());
        linkerContext(d);
        if (d.severity.equals("warning") || d.severity.equals("error")) primary(d, true);
        return;
      }
      String msg = rest.trim();
      String sev = "error";
      if (msg.startsWith("warning: ")) {
        sev = "warning";
        msg = msg.substring(9);
      } else if (msg.startsWith("error: ")) {
        msg = msg.substring(7);
      }
      primary(new B(null, null, null, sev, msg), true);
    }

    /** An undefined reference inside a function: the function becomes a note (the object file is a temporary). */
    private void linkerContext(B d) {
      if (linkerFunction == null) return;
      B n = new B(d.file, d.line, null, "note", "in function '" + linkerFunction + "'");
      n.context = true;
      pendingContext.add(n);
      linkerFunction = null;
    }

    private void primary(B d, boolean attachContext) {
      if (attachContext && !pendingContext.isEmpty()) {
        for (B c : pendingContext) {
          add(c);
          if (d.notes.size() < MAX_NOTES) d.notes.add(c);
        }
        pendingContext.clear();
      }
      add(d);
      primary = d;
      last = d;
    }

    private void note(B d) {
      B p = primary;
      for (B c : pendingContext) {
        add(c);
        if (p != null && p.notes.size() < MAX_NOTES) p.notes.add(c);
      }
      pendingContext.clear();
      add(d);
      if (p != null && p.notes.size() < MAX_NOTES) p.notes.add(d);
      last = d;
    }

    private void add(B d) {
      if (flat.size() < MAX_DIAGNOSTICS) flat.add(d);
    }

    private void finishCmake() {
      if (cmake == null) return;
      B d = cmake;
      cmake = null;
      if (d.message.isEmpty()) d.message = d.severity.equals("error") ? "CMake error" : "CMake warning";
      primary(d, true);
    }

    private void option(B d) {
      Matcher o = OPTION.matcher(d.message);
      if (o.find()) d.option = o.group("opt").replace("-Werror=", "-W");
    }

    // ---- columns, the excerpt and its caret line ----

    private void expectExcerpt(B d) {
      if (d.column != null && d.line != null) {
        excerptOf = d;
        excerptStage = 1;
      }
      convertColumn(d);
    }

    /** Consumes the source excerpt and caret line of {@link #excerptOf}; false when the line is neither. */
    private boolean excerpt(String line) {
      if (excerptStage == 1) {
        Matcher g = GUTTER_SOURCE.matcher(line);
        if (g.matches()) {
          gutter = true;
          excerpt = g.group("text");
        } else if (next != null && isMarks(next)) {
          gutter = false;
          excerpt = line;
        } else {
          return false;
        }
        excerptStage = 2;
        return true;
      }
      String marks;
      if (gutter) {
        Matcher g = GUTTER_MARKS.matcher(line);
        if (!g.matches()) return false;
        marks = g.group("text");
      } else {
        if (!isMarks(line)) return false;
        marks = line;
      }
      excerptStage = 0;
      endColumn(excerptOf, excerpt, marks);
      return true;
    }

    /** clang's caret line: spaces, one caret, tildes. */
    private static boolean isMarks(String line) {
      return line.indexOf('^') >= 0 && MARKS.matcher(line).matches();
    }

    /** The end of the marked range: the caret and the ~ after it, measured on the excerpt (display columns). */
    private void endColumn(B d, String excerpt, String marks) {
      int caret = marks.indexOf('^');
      if (caret < 0 || d.column == null) return;
      int end = caret + 1;
      while (end < marks.length() && marks.charAt(end) == '~') end++;
      int width = end - caret;
      // walk the excerpt from the caret's display column, counting UTF-16 units until the width is covered
      int display = 0;
      int i = 0;
      while (i < excerpt.length() && display < caret) {
        int cp = excerpt.codePointAt(i);
        display += wide(cp) ? 2 : 1;
        i += Character.charCount(cp);
      }
      int units = 0;
      int covered = 0;
      while (covered < width) {
        if (i >= excerpt.length()) {
          units += width - covered; // past the end of the line (a missing ';')
          break;
        }
        int cp = excerpt.codePointAt(i);
        covered += wide(cp) ? 2 : 1;
        units += Character.charCount(cp);
        i += Character.charCount(cp);
      }
      d.endColumn = d.column + Math.max(1, units);
    }

    /** Byte column (both compilers, with Sandpit's flags) to UTF-16 column, when the file's text is known. */
    private void convertColumn(B d) {
      if (d.column == null || d.line == null || d.file == null) return;
      String text = sources.get(d.file);
      if (text == null) return;
      d.column = utf16Column(text, d.line, d.column);
    }

    private void fixit(Matcher m) {
      if (last == null) return;
      String file = path(unescape(m.group("file")));
      int l1 = Integer.parseInt(m.group("l1"));
      int l2 = Integer.parseInt(m.group("l2"));
      int c1 = Integer.parseInt(m.group("c1"));
      int c2 = Integer.parseInt(m.group("c2"));
      String text = sources.get(file);
      if (text != null) {
        c1 = utf16Column(text, l1, c1);
        c2 = utf16Column(text, l2, c2);
      }
      if (last.fixits.size() < MAX_FIXITS) last.fixits.add(new Diagnostic.FixIt(file, l1, c1, l2, c2, unescape(m.group("text"))));
    }
  }

  private static Integer integer(String s) {
    return s == null ? null : Integer.parseInt(s);
  }

  /** A 1-based byte column of a line as a 1-based UTF-16 column (columns past the end stay past it). */
  static int utf16Column(String text, int line, int byteColumn) {
    int start = 0;
    for (int l = 1; l < line; l++) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) return byteColumn;
      start = nl + 1;
    }
    int nl = text.indexOf('\n', start);
    String s = text.substring(start, nl < 0 ? text.length() : nl);
    int bytes = 0;
    int units = 0;
    int i = 0;
    while (i < s.length() && bytes < byteColumn - 1) {
      int cp = s.codePointAt(i);
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      units += Character.charCount(cp);
      i += Character.charCount(cp);
    }
    return units + 1 + Math.max(0, byteColumn - 1 - bytes);
  }

  /** East Asian wide and emoji code points take two columns in the compilers' excerpts. */
  static boolean wide(int cp) {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
        || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD);
  }

  /** The C-style escapes of a fix-it's quoted strings (\", \\, \n, \t, octal bytes of UTF-8). */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      if (b[i] != '\\' || i + 1 >= b.length) {
        out.write(b[i]);
        continue;
      }
      byte n = b[++i];
      if (n >= '0' && n <= '7') {
        int v = 0;
        int k = 0;
        while (k < 3 && i < b.length && b[i] >= '0' && b[i] <= '7') {
          v = v * 8 + (b[i] - '0');
          i++;
          k++;
        }
        i--;
        out.write(v);
      } else {
        out.write(switch (n) {
          case 'n' -> '\n';
          case 't' -> '\t';
          case 'r' -> '\r';
          default -> n;
        });
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A path as the workspace names it: no ./, no /work/ prefix, no .. for absolute paths. */
  static String path(String f) {
    String p = f.trim();
    while (p.startsWith("./")) p = p.substring(2);
    if (p.startsWith("/") || p.contains("/../") || p.contains("/./")) {
      try {
        p = Path.of(p).normalize().toString();
      } catch (InvalidPathException e) {
        return p;
      }
    }
    for (String root : WORKSPACE_ROOTS) {
      if (p.startsWith(root) && p.length() > root.length()) return p.substring(root.length());
    }
    return p;
  }

  private static boolean looksLikeSource(String file) {
    return file.contains(".") && !file.startsWith("http") && !file.contains("://");
  }
}
