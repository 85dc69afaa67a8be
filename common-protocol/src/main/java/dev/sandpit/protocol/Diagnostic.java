package dev.sandpit.protocol;

import java.util.List;

/**
 * One compiler (or linker, make, CMake) message, parsed so an editor can draw a marker.
 *
 * @param file the file as the workspace names it ({@code src/a.c}); null for messages about no
 *     file (a linker's {@code undefined reference} seen in an object without debug information,
 *     {@code ld returned 1 exit status}, a driver error)
 * @param line 1-based; null when unknown
 * @param column 1-based, in UTF-16 code units of the line (what browser editors count) when the
 *     file is one of the job's files, else as the compiler counted; null when unknown
 * @param endColumn just after the range the compiler marked on the same line ({@code ^~~~}),
 *     same unit as {@code column}; null when unknown
 * @param severity {@code error}, {@code warning}, {@code note} (fatal errors are errors)
 * @param option the warning option that enabled it ({@code -Wunused-variable}), when given
 * @param notes for errors and warnings: the notes that belong to them, in order — the compiler's
 *     notes, the include chain ({@code In file included from}), the template instantiation
 *     backtrace ({@code In instantiation of}, {@code required from here}), the function a linker
 *     error is in. Notes stay in the top-level list as well (older clients draw them there)
 * @param fixits the compiler's suggested edits
 */
public record Diagnostic(
    String file,
    Integer line,
    Integer column,
    Integer endColumn,
    String severity,
    String message,
    String option,
    List<Diagnostic> notes,
    List<FixIt> fixits) {

  public Diagnostic(String file, Integer line, Integer column, String severity, String message) {
    this(file, line, column, null, severity, message, null, null, null);
  }

  /**
   * Replace the text from ({@code line}, {@code column}) to ({@code endLine}, {@code endColumn})
   * (exclusive) by {@code replacement}; an insertion when start and end are equal.
   */
  public record FixIt(String file, Integer line, Integer column, Integer endLine, Integer endColumn, String replacement) {}

  public Diagnostic withNotes(List<Diagnostic> n) {
    return new Diagnostic(file, line, column, endColumn, severity, message, option, n, fixits);
  }

  public Diagnostic withFixits(List<FixIt> f) {
    return new Diagnostic(file, line, column, endColumn, severity, message, option, notes, f);
  }
}
