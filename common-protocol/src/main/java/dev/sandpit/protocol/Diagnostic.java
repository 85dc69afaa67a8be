package dev.sandpit.protocol;

/** One compiler message, parsed so an editor can draw a marker. */
public record Diagnostic(String file, Integer line, Integer column, String severity, String message) {}
