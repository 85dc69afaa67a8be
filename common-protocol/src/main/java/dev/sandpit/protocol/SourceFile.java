package dev.sandpit.protocol;

/** One file of a multi-file program; {@code name} is a relative path inside the workspace. */
public record SourceFile(String name, String content) {}
