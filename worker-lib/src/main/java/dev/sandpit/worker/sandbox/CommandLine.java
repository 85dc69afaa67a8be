package dev.sandpit.worker.sandbox;

import java.util.List;
import java.util.Map;

/**
 * The one line a sandbox's init reads and execs: exports, then the argv, every word single-quoted
 * so nothing in it is interpreted by the shell. Newlines cannot occur (it is one line).
 */
public final class CommandLine {
  private CommandLine() {}

  public static String of(List<String> argv, Map<String, String> env) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("bad environment name " + e.getKey());
      }
      sb.append("export ").append(e.getKey()).append('=').append(quote(e.getValue())).append("; ");
    }
    sb.append("exec");
    for (String a : argv) sb.append(' ').append(quote(a));
    return sb.append('\n').toString();
  }

  static String quote(String s) {
    if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("argument contains a line break or NUL");
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
