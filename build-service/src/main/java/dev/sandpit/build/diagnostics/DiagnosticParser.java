package dev.sandpit.build.diagnostics;

import dev.sandpit.protocol.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses compiler output into diagnostics an editor can mark: gcc/clang ({@code file:line:col:
 * severity: message}), Go ({@code file:line:col: message}), javac ({@code File.java:line: error:
 * message}) and rustc ({@code error[E0425]: message} followed by {@code --> file:line:col}).
 */
public final class DiagnosticParser {
  private DiagnosticParser() {}

  private static final Pattern GCC = Pattern.compile(
      "^(?:\\./)?([^:\\s][^:]*):(\\d+):(?:(\\d+):)?\\s*(fatal error|error|warning|note)?:?\\s*(.*)$");
  private static final Pattern RUST_HEAD = Pattern.compile("^(error|warning)(?:\\[\\w+\\])?: (.*)$");
  private static final Pattern RUST_AT = Pattern.compile("^\\s*--> (?:\\./)?([^:]+):(\\d+):(\\d+)$");

  public static List<Diagnostic> parse(String output) {
    List<Diagnostic> out = new ArrayList<>();
    String[] lines = output.split("\r?\n");
    String rustSeverity = null;
    String rustMessage = null;
    for (String line : lines) {
      Matcher rh = RUST_HEAD.matcher(line);
      if (rh.matches()) {
        rustSeverity = rh.group(1);
        rustMessage = rh.group(2);
        continue;
      }
      Matcher ra = RUST_AT.matcher(line);
      if (ra.matches() && rustSeverity != null) {
        out.add(new Diagnostic(ra.group(1), Integer.parseInt(ra.group(2)), Integer.parseInt(ra.group(3)), rustSeverity, rustMessage));
        rustSeverity = null;
        continue;
      }
      Matcher g = GCC.matcher(line);
      if (g.matches() && !line.startsWith(" ") && looksLikeSource(g.group(1))) {
        String sev = g.group(4) == null ? "error" : g.group(4).equals("fatal error") ? "error" : g.group(4);
        Integer col = g.group(3) == null ? null : Integer.parseInt(g.group(3));
        out.add(new Diagnostic(g.group(1), Integer.parseInt(g.group(2)), col, sev, g.group(5).trim()));
      }
    }
    return out;
  }

  private static boolean looksLikeSource(String file) {
    return file.contains(".") && !file.startsWith("http");
  }
}
